// Vite's `?raw` import: a file's text as a string (the rulebook test reads src/worker/db/rulebook.sql so).
declare module "*.sql?raw" {
  const text: string;
  export default text;
}
