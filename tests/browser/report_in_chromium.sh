#!/usr/bin/env bash
# `vibench report` in a real browser: the report of two checked-in paper
# result files, rendered by headless Chromium (Debian's `chromium`; .ci/run
# installs it). Checks the page's text (every task and algorithm label of
# the figures), that every figure is laid out with a nonzero size, that no
# error was raised and that nothing was fetched; keeps a screenshot.
# Usage: report_in_chromium.sh VIBENCH SOURCE_DIR WORK_DIR
# Exit 77 (ctest: skipped) when Chromium is missing.
set -euo pipefail
vibench=$1
source_dir=$2
work=$3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "skipped: no chromium (apt-get install chromium; .ci/run installs it)"
  exit 77
fi
mkdir -p "$work"
results=("$source_dir/results/papers/mirrored_stein.json"
         "$source_dir/results/papers/gda_vs_eg.json")
"$vibench" report "${results[@]}" --allow-mixed --force -o "$work/report.html"

# The labels the page must show: every task label (as a chart's title) and
# line label (as a legend entry) `vibench series` gives the figures of each
# file's first metric, one "task<TAB>label" or "line<TAB>label" per line.
: > "$work/labels.txt"
for file in "${results[@]}"; do
  metric=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["metrics"][0]["name"])' "$file")
  "$vibench" series "${results[@]}" -m "$metric" 2>/dev/null |
    python3 -c 'import json, sys
for panel in json.load(sys.stdin)["panels"]:
    print("task\t" + panel["label"])
    for line in panel["lines"]:
        print("line\t" + line["label"])' >> "$work/labels.txt"
done

# A copy of the page with a probe that records errors, the resources
# fetched and each figure's laid-out size after the load event. The report
# itself has no script.
python3 - "$work/report.html" "$work/probe.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
const vibenchErrors = [];
window.addEventListener("error", e => vibenchErrors.push(
  String(e.message || (e.target && (e.target.src || e.target.href)))), true);
const vibenchConsoleError = console.error;
console.error = (...a) => { vibenchErrors.push(a.join(" ")); };
window.addEventListener("load", () => {
  const figures = [...document.querySelectorAll("svg")].map(s => {
    const r = s.getBoundingClientRect(); return [r.width, r.height]; });
  const resources = performance.getEntriesByType("resource").map(r => r.name);
  const titles = [...document.querySelectorAll("svg > title")].map(
    t => t.textContent);
  const keys = [...document.querySelectorAll(".keys li")].map(
    li => li.textContent);
  const pre = document.createElement("pre");
  pre.id = "vibench-probe";
  pre.textContent = JSON.stringify({figures, resources, titles, keys,
                                    errors: vibenchErrors,
                                    text: document.body.innerText});
  document.body.appendChild(pre);
});
</script>"""
head = page.index("<meta charset=\"utf-8\">") + len("<meta charset=\"utf-8\">")
open(sys.argv[2], "w", encoding="utf-8").write(page[:head] + probe + page[head:])
PY

flags=(--headless --no-sandbox --disable-gpu --no-first-run
       --disable-extensions --disable-background-networking
       --user-data-dir="$work/chromium-profile")
"$browser" "${flags[@]}" --virtual-time-budget=10000 \
  --dump-dom "file://$work/probe.html" > "$work/dom.html" 2> "$work/chromium.log"
python3 - "$work/dom.html" "$work/labels.txt" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
found = re.search(r'<pre id="vibench-probe">(.*?)</pre>', dom, re.S)
if not found:
    sys.exit("the probe did not run: the page did not load")
probe = json.loads(html.unescape(found.group(1)))
problems = []
if not probe["figures"]:
    problems.append("no figure")
for i, (w, h) in enumerate(probe["figures"]):
    if w <= 0 or h <= 0:
        problems.append(f"figure {i} has size {w} x {h}")
if probe["resources"]:
    problems.append(f"resources fetched: {probe['resources']}")
if probe["errors"]:
    problems.append(f"errors: {probe['errors']}")
text = probe["text"]
for entry in open(sys.argv[2], encoding="utf-8").read().splitlines():
    kind, label = entry.split("\t", 1)
    if kind == "task" and label not in probe["titles"]:
        problems.append(f"no chart titled {label!r}")
    if kind == "line" and not any(key.startswith(label)
                                  for key in probe["keys"]):
        problems.append(f"no legend entry for {label!r}")
for heading in ("Cells that did not end ok", "Provenance"):
    if heading not in text:
        problems.append(f"section missing: {heading}")
if problems:
    sys.exit("report in Chromium: " + "; ".join(problems))
print(f"report in Chromium: {len(probe['figures'])} figures laid out, "
      f"no error, nothing fetched, every label shown")
PY

"$browser" "${flags[@]}" --hide-scrollbars --window-size=1280,2400 \
  --screenshot="$work/report.png" "file://$work/report.html" \
  >> "$work/chromium.log" 2>&1
size=$(stat -c %s "$work/report.png")
[ "$size" -gt 20000 ] || { echo "screenshot too small: $size bytes"; exit 1; }
echo "screenshot: $work/report.png ($size bytes)"
