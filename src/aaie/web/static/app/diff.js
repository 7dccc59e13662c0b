// A word-level diff between two versions (longest common subsequence on words, each with the
// spaces after it, so a changed phrase reads as one insertion or deletion).
const words = (text) => text.match(/\s+|\S+\s*/g) || [];
export function diffWords(a, b) {
  const x = words(a), y = words(b);
  const n = x.length, m = y.length;
  if (n * m > 4_000_000) return [{ op: "del", text: a }, { op: "ins", text: b }];
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i][j] = x[i] === y[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out = [];
  const push = (op, text) => {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += text;
    else out.push({ op, text });
  };
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { push("same", x[i]); i++; j++; }
    else if (dp[i + 1][j] >= dp[i][j + 1]) push("del", x[i++]);
    else push("ins", y[j++]);
  }
  while (i < n) push("del", x[i++]);
  while (j < m) push("ins", y[j++]);
  return out;
}
