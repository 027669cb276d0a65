import { beforeAll, describe, expect, it } from "vitest";
import { render } from "@solidjs/testing-library";
import { Markdown } from "../../src/web/components/markdown.tsx";
import { contentText } from "../../src/shared/content.ts";
import { loadMarkdown, plainText, renderMarkdown, withHardBreaks } from "../../src/web/markdown.ts";

// The renderer is loaded on demand in the app (a space starts it with its snapshot).
beforeAll(() => loadMarkdown());

/** Renders Markdown into a detached element, as the app does with innerHTML. */
function mount(text: string): HTMLElement {
  const element = document.createElement("div");
  element.innerHTML = renderMarkdown(text);
  return element;
}
const handlerAttributes = (root: HTMLElement) =>
  [...root.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => a.name)).filter((name) => name.startsWith("on"));

describe("Markdown sanitising", () => {
  it("renders Markdown", () => {
    const root = mount("**bold** and `code`\n\n- one\n- two");
    expect(root.querySelector("strong")?.textContent).toBe("bold");
    expect(root.querySelector("code")?.textContent).toBe("code");
    expect(root.querySelectorAll("li")).toHaveLength(2);
  });

  it("keeps a single line break (Shift+Enter) as a break, and a blank line as a new paragraph", () => {
    const root = mount("first\nsecond\n\nthird");
    expect(root.querySelectorAll("p")).toHaveLength(2);
    expect(root.querySelector("p")?.innerHTML).toMatch(/^first<br>\s*second$/);
  });

  it("shows a script tag as text instead of running it", () => {
    const root = mount("<script>alert(1)</script>");
    expect(root.querySelector("script")).toBeNull();
    expect(root.textContent).toContain("<script>alert(1)</script>");
  });

  it("leaves no event handler attribute, inline or in a block of HTML", () => {
    const root = mount('<img src=x onerror="alert(1)">\n\nhi <b onmouseover="alert(2)">there</b>\n\n<div onclick=alert(3)>x</div>');
    expect(root.querySelector("img, b, div")).toBeNull();
    expect(handlerAttributes(root)).toEqual([]);
  });

  it("drops javascript:, vbscript: and data: link targets, however they are spelled", () => {
    const root = mount(
      "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](javascript&#58;alert(3)) [d](vbscript:msgbox) [e](data:text/html,<script>alert(4)</script>) <javascript:alert(5)>\n\n![i](javascript:alert(6))",
    );
    const targets = [...root.querySelectorAll("a, img")].map((el) => el.getAttribute("href") ?? el.getAttribute("src") ?? "");
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target).not.toMatch(/^\s*(javascript|vbscript|data):/i);
    expect(root.querySelector("script")).toBeNull();
  });

  it("keeps ordinary links, opening them in a new tab without an opener", () => {
    const { container } = render(() => <Markdown text="see [the docs](https://example.com/docs)" />);
    const link = container.querySelector("a")!;
    expect(link.getAttribute("href")).toBe("https://example.com/docs");
    expect(link.target).toBe("_blank");
    expect(link.rel).toContain("noopener");
  });

  it("reads structured content as its text", () => {
    expect(contentText(["plain ", { type: "em", content: ["nested ", { type: "b", content: ["deep"] }] }])).toBe("plain nested deep");
  });
});

describe("GitHub-flavoured Markdown", () => {
  it("renders a table, its cells' HTML escaped", () => {
    const root = mount("| name | note |\n|---|:-:|\n| <b onclick=alert(1)>x</b> | <script>alert(2)</script> |");
    expect([...root.querySelectorAll("th")].map((th) => th.textContent)).toEqual(["name", "note"]);
    expect([...root.querySelectorAll("td")].map((td) => td.textContent)).toEqual(["<b onclick=alert(1)>x</b>", "<script>alert(2)</script>"]);
    expect(root.querySelector("table b, table script")).toBeNull();
    expect(handlerAttributes(root)).toEqual([]);
  });

  it("strikes through", () => {
    expect(mount("~~gone~~ here").querySelector("del")?.textContent).toBe("gone");
  });

  it("renders task lists as checkboxes nobody can tick", () => {
    const boxes = [...mount("- [x] done\n- [ ] to do").querySelectorAll<HTMLInputElement>("input")];
    expect(boxes.map((box) => [box.type, box.checked, box.disabled])).toEqual([
      ["checkbox", true, true],
      ["checkbox", false, true],
    ]);
  });

  it("names each task's checkbox by its task, and lets the keyboard reach a block that may scroll sideways", () => {
    const { container } = render(() => <Markdown text={"- [ ] buy milk\n\n```\ncode\n```\n\n| a |\n|---|\n| b |"} />);
    expect(container.querySelector("input")?.getAttribute("aria-label")).toBe("buy milk");
    expect([...container.querySelectorAll("pre, table")].map((block) => block.getAttribute("tabindex"))).toEqual(["0", "0"]);
  });

  it("links bare URLs, www. and e-mail addresses, but never a javascript: one", () => {
    const root = mount("see https://example.com/a?b=1, www.example.org and ada@example.com; not javascript:alert(1) nor JAVASCRIPT://%0aalert(2)");
    expect([...root.querySelectorAll("a")].map((a) => a.getAttribute("href"))).toEqual([
      "https://example.com/a?b=1",
      "http://www.example.org",
      "mailto:ada@example.com",
    ]);
  });

  it("opens autolinks in a new tab without an opener, and keeps footnotes in the message with ids of its own", () => {
    const text = "https://example.com says so[^1]\n\n[^1]: a note";
    const { container } = render(() => (
      <>
        <Markdown text={text} />
        <Markdown text={text} />
      </>
    ));
    const link = container.querySelector<HTMLAnchorElement>('a[href^="https:"]')!;
    expect([link.target, link.rel]).toEqual(["_blank", "noopener noreferrer nofollow"]);
    const reference = container.querySelector<HTMLAnchorElement>("a[data-footnote-ref]")!;
    expect(reference.target).toBe("");
    expect(container.querySelector(reference.getAttribute("href")!)?.textContent).toContain("a note");
    const ids = [...container.querySelectorAll("[id]")].map((element) => element.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(6);
    for (const described of container.querySelectorAll("[aria-describedby]")) {
      expect(container.querySelector(`#${described.getAttribute("aria-describedby")}`)).not.toBeNull();
    }
  });

  it("keeps a fenced block's layout: its lines and spaces as written", () => {
    const code = "function f() {\n    return   1;\n}";
    expect(mount("before\n```js\n" + code + "\n```\nafter").querySelector("pre > code")?.textContent).toBe(code + "\n");
  });
});

describe("plain text", () => {
  it("is rendered without micromark exactly as micromark renders it", async () => {
    const { toHtml: micromark } = await import("../../src/web/markdown-renderer.ts");
    // A fixed pseudo-random corpus over letters, digits, spaces, newlines and the punctuation of
    // ordinary sentences (some of which can start Markdown at the start of a line).
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const alphabet = ["a", "Z", "é", "😀", "0", "7", " ", " ", "\n", "\n", ".", ",", ";", ":", "!", "?", "'", '"', "(", ")", "-", "=", "+", "#", "~", "https://example.com/x"];
    let plain = 0;
    for (let i = 0; i < 10_000; i++) {
      const text = Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
      const fast = plainText(text);
      if (fast === undefined) continue;
      plain += 1;
      expect(fast, JSON.stringify(text)).toBe(micromark(withHardBreaks(text)));
    }
    // The corpus does reach the fast path, often.
    expect(plain).toBeGreaterThan(1_000);
  });

  it("leaves anything Markdown could act on to micromark", () => {
    for (const text of ["**bold**", "a_b_", "`code`", "[a](b)", "<b>", "&amp;", "- item", "1. item", "2) item", "# title", "a\n===", "> quote", "    code", "~~~", "a\\b", "tab\there", "a ~~b~~", "a | b", "see www.example.com", "at https://x.io", "mail a@b.co", "mailto:a@b.co"]) {
      expect(plainText(text), text).toBeUndefined();
    }
  });
});
