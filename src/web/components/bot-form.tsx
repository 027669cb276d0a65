/**
 * Creating, configuring and deleting a bot in the current space: its name, model (typed, or picked from
 * the models the server's provider lists), system prompt, what it answers, and its model provider's API
 * key, which is write-only: the form never shows it back, only whether one is set (`properties.bot.hasKey`),
 * and says what the bot uses without one.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import type { Being, BeingId, BotConfig, BotReplyTo } from "../../shared/entities.ts";
import { errorMessage } from "../../shared/errors.ts";
import { MAX_BOT_PROMPT_LENGTH, MAX_NAME_LENGTH } from "../../shared/limits.ts";
import type { BotModels } from "../../shared/responses.ts";
import { createBeing, deleteBeing, listBotModels, patchBeing } from "../api.ts";
import { createFormAction, FormError } from "./form-action.tsx";

export interface BotFormProps {
  spaceId: BeingId;
  /** The bot to configure; absent to create one. */
  bot?: Being;
  onDone(): void;
}

/** A bot's configuration as the form edits it. */
export function botConfigOf(being: Being | undefined): BotConfig {
  const config = (being?.properties.bot ?? {}) as Partial<BotConfig>;
  return { model: config.model ?? "", prompt: config.prompt ?? "", replyTo: config.replyTo ?? "mentions", images: config.images ?? false, hasKey: config.hasKey ?? false };
}

export function BotForm(props: BotFormProps) {
  const initial = botConfigOf(props.bot);
  const [name, setName] = createSignal(props.bot?.name ?? "");
  const [model, setModel] = createSignal(initial.model);
  const [prompt, setPrompt] = createSignal(initial.prompt);
  const [replyTo, setReplyTo] = createSignal<BotReplyTo>(initial.replyTo ?? "mentions");
  const [images, setImages] = createSignal(initial.images ?? false);
  const [apiKey, setApiKey] = createSignal("");
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);
  const action = createFormAction();
  const titleId = `bot-form-${props.bot?.id ?? "new"}`;
  // Listed with the key this bot would use; a failure leaves the model to be typed.
  const [listed] = createResource(() => listBotModels(props.bot?.id));

  const save = () =>
    action.run(async () => {
      if (!name().trim()) throw new Error("Give the bot a name.");
      if (!model().trim()) throw new Error("Name the model it uses, e.g. llama3.2 or openai/gpt-4o-mini.");
      const bot = { model: model().trim(), prompt: prompt(), replyTo: replyTo(), ...(images() ? { images: true } : {}) };
      // An empty key field means "keep the key it has": the key is never sent back to be edited.
      const secrets = apiKey().trim() ? { secrets: { apiKey: apiKey().trim() } } : {};
      if (props.bot) await patchBeing(props.bot.id, { name: name().trim(), properties: { ...props.bot.properties, bot }, ...secrets });
      else await createBeing({ name: name().trim(), type: "bot", locationId: props.spaceId, properties: { bot }, ...secrets });
      props.onDone();
    });
  const remove = () => action.run(async () => (await deleteBeing(props.bot!.id), props.onDone()));

  return (
    <form
      class="bot-form"
      aria-labelledby={titleId}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
      onKeyDown={(event) => event.key === "Escape" && props.onDone()}
    >
      <h3 id={titleId}>{props.bot ? `Configure ${props.bot.name}` : "New bot"}</h3>
      <label class="field">
        <span>Name</span>
        <input class="input" name="bot-name" maxLength={MAX_NAME_LENGTH} value={name()} onInput={(e) => setName(e.currentTarget.value)} required />
      </label>
      <label class="field">
        <span>Model</span>
        <input class="input" name="bot-model" placeholder="llama3.2" value={model()} onInput={(e) => setModel(e.currentTarget.value)} required />
      </label>
      <ModelPicker id={`${titleId}-models`} listed={listed} model={model()} onPick={setModel} />
      <label class="field">
        <span>System prompt</span>
        <textarea
          class="input"
          name="bot-prompt"
          rows={3}
          maxLength={MAX_BOT_PROMPT_LENGTH}
          placeholder="You are a helpful guide to this space. Answer briefly."
          value={prompt()}
          onInput={(e) => setPrompt(e.currentTarget.value)}
        />
      </label>
      <fieldset class="field">
        <legend>Answers</legend>
        <label class="check">
          <input type="radio" name="bot-reply-to" checked={replyTo() === "mentions"} onChange={() => setReplyTo("mentions")} />
          <span>Messages that mention it</span>
        </label>
        <label class="check">
          <input type="radio" name="bot-reply-to" checked={replyTo() === "all"} onChange={() => setReplyTo("all")} />
          <span>Every message</span>
        </label>
      </fieldset>
      <label class="check">
        <input type="checkbox" name="bot-images" checked={images()} onChange={(e) => setImages(e.currentTarget.checked)} />
        <span>Sees pictures: send it the images posted in the conversation</span>
      </label>
      <label class="field">
        <span>
          API key <Show when={initial.hasKey}><span class="tag">key set</span></Show>
        </span>
        <input
          class="input"
          type="password"
          name="bot-api-key"
          autocomplete="off"
          placeholder={initial.hasKey ? "Leave empty to keep the key" : "Your provider's key"}
          value={apiKey()}
          onInput={(e) => setApiKey(e.currentTarget.value)}
          aria-describedby={`${titleId}-key-hint`}
        />
        <small id={`${titleId}-key-hint`}>
          <KeyHint hasKey={initial.hasKey ?? false} listed={listed.error ? undefined : listed()} />
        </small>
      </label>
      <FormError action={action} />
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={action.busy()}>
          {props.bot ? "Save" : "Create bot"}
        </button>
        <button type="button" class="button quiet" onClick={() => props.onDone()}>
          Cancel
        </button>
        <Show when={props.bot}>
          <Show
            when={confirmingDelete()}
            fallback={
              <button type="button" class="button quiet danger" onClick={() => setConfirmingDelete(true)}>
                Delete bot
              </button>
            }
          >
            <button type="button" class="button danger" disabled={action.busy()} onClick={() => void remove()}>
              Delete {props.bot!.name}
            </button>
          </Show>
        </Show>
      </div>
    </form>
  );
}

/** The provider's models to pick from, or why they could not be listed; the model field above still takes any text. */
function ModelPicker(props: { id: string; listed: { (): BotModels | undefined; error?: unknown; loading: boolean }; model: string; onPick(model: string): void }) {
  return (
    <Show when={!props.listed.loading}>
      <Show
        when={!props.listed.error && props.listed()}
        fallback={
          <div class="field">
            <small>The provider's models could not be listed ({errorMessage(props.listed.error)}); type the model's id.</small>
          </div>
        }
      >
        {(listed) => (
          // Not a wrapping label: its text would then include every option's.
          <div class="field">
            <label for={props.id}>Or pick one the provider lists ({listed().models.length})</label>
            <select id={props.id} class="input" name="bot-model-list" onChange={(e) => e.currentTarget.value && props.onPick(e.currentTarget.value)}>
              <option value="" selected={!listed().models.includes(props.model)}>
                Choose…
              </option>
              <For each={listed().models}>{(id) => <option value={id} selected={id === props.model}>{id}</option>}</For>
            </select>
          </div>
        )}
      </Show>
    </Show>
  );
}

/** What the API key field means for this bot: its own key (the "key set" tag, `hasKey`), or what it uses without one. */
function KeyHint(props: { hasKey: boolean; listed: BotModels | undefined }) {
  const stored = "Stored encrypted; never shown again, to you or anyone.";
  return (
    <Show when={!props.hasKey} fallback={<>Its own key is set, so this server's daily limits do not apply to it. {stored}</>}>
      <Show when={props.listed} fallback={stored}>
        {(listed) => (
          <Show when={listed().defaultKey} fallback={<>No key: this bot cannot answer until it has one. {stored}</>}>
            {(fallback) => (
              <>
                No key: uses this server's default, limited to {fallback().tokensPerPersonPerDay.toLocaleString("en")} tokens a day per person who
                asks. {stored}
              </>
            )}
          </Show>
        )}
      </Show>
    </Show>
  );
}
