/** The demo page: shows the counter and a button that increments it through the Worker's API. */
export function renderPage(count: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lumenize demo</title>
<style>
  body { font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 100vh; margin: 0; background: #f6f7f9; color: #1d2430; }
  main { background: white; padding: 2rem 3rem; border-radius: 12px; box-shadow: 0 2px 12px #0001; text-align: center; }
  output { display: block; font-size: 4rem; font-variant-numeric: tabular-nums; margin: 1rem 0; }
  button { font-size: 1.1rem; padding: .6rem 1.4rem; border-radius: 8px; border: 0; background: #3454d1; color: white; cursor: pointer; }
</style>
</head>
<body>
<main>
  <h1>Lumenize demo</h1>
  <p>This count lives in a Durable Object's SQLite storage.</p>
  <output id="count">${count}</output>
  <button id="increment" type="button">Increment</button>
</main>
<script type="module">
  const out = document.getElementById('count');
  document.getElementById('increment').addEventListener('click', async () => {
    const res = await fetch('/api/counter/increment', { method: 'POST' });
    out.textContent = String((await res.json()).count);
  });
</script>
</body>
</html>`;
}
