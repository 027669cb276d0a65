/** A file's size for people: "812 bytes", "340 KiB", "2.4 MiB". */
const oneDecimal = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

/** `bytes` in the largest unit that keeps it at 1 or more. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${oneDecimal.format(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${oneDecimal.format(bytes / 1024 ** 2)} MiB`;
  return `${oneDecimal.format(bytes / 1024 ** 3)} GiB`;
}
