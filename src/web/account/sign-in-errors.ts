/** What a provider sign-in that came back with `?signin_error=` means (the server's callback sets it). */
const MESSAGES: Record<string, string> = {
  denied: "The sign-in provider refused: you may have said no there. Nothing was changed.",
  failed: "The sign-in could not be verified. Nothing was changed; try again.",
  expired: "That sign-in expired or was already used. Nothing was changed; try again.",
  conflict: "That account already belongs to another identity. Sign in with it instead, or use another account.",
};

/** The message for the address bar's `signin_error`, if any; the parameter is removed so a reload does not repeat it. */
export function takeSignInError(): string | undefined {
  const url = new URL(location.href);
  const code = url.searchParams.get("signin_error");
  if (code === null) return undefined;
  url.searchParams.delete("signin_error");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  return MESSAGES[code] ?? MESSAGES.failed;
}
