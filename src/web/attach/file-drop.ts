/** Files dragged onto an area (the conversation): shown as a drop target while they are over it, attached when dropped. */

/** Only a drag that carries files is taken (text and links dragged around are left to the browser). */
const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") ?? false;

/** Makes `area` a drop target for files (class "dropping" while some are over it); returns the way to stop. */
export function listenForDrops(area: HTMLElement, onDrop: (files: File[]) => void): () => void {
  // dragenter and dragleave fire for every child crossed: count them, so moving inside does not flicker.
  let depth = 0;
  const show = (over: boolean) => area.classList.toggle("dropping", over);
  const handlers: Record<"dragenter" | "dragover" | "dragleave" | "drop", (event: DragEvent) => void> = {
    dragenter(event) {
      event.preventDefault();
      depth++;
      show(true);
    },
    // Allows the drop.
    dragover: (event) => event.preventDefault(),
    dragleave() {
      if (--depth > 0) return;
      depth = 0;
      show(false);
    },
    drop(event) {
      event.preventDefault();
      depth = 0;
      show(false);
      onDrop([...(event.dataTransfer?.files ?? [])]);
    },
  };
  const listeners = Object.entries(handlers).map(([type, handler]) => {
    const listener = (event: DragEvent) => carriesFiles(event) && handler(event);
    area.addEventListener(type as keyof typeof handlers, listener);
    return () => area.removeEventListener(type as keyof typeof handlers, listener);
  });
  return () => {
    for (const stop of listeners) stop();
    show(false);
  };
}
