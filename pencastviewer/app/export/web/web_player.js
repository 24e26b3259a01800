// The pencastviewer web player: the page's ink appearing as it was written, in step with
// the embedded audio; tap the ink to hear what was said while it was written.
// Data (see web_page.py): pages with strokes in millimetres and per-point times in
// seconds of the clip; the style of the program's ink reveal.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("pencast-data").textContent);
  const audio = document.getElementById("audio");
  const canvas = document.getElementById("ink");
  const playButton = document.getElementById("play");
  const seek = document.getElementById("seek");
  const timeLabel = document.getElementById("time");
  const pageLabel = document.getElementById("page");
  const style = data.style;
  const TAP_RADIUS_PX = 10;
  const MARGIN_PX = 12;

  const rgba = (c, alpha) => `rgba(${c[0]},${c[1]},${c[2]},${(c[3] / 255) * alpha})`;

  // Per stroke: points as [x0, y0, x1, y1, ...], times (s of the clip), Path2D built once.
  for (const page of data.pages) {
    page.image = new Image();
    page.image.onload = () => draw();
    page.image.src = page.background;
    for (const s of page.strokes) {
      s.path = pathOf(s.xy, s.xy.length / 2);
      s.first = s.t[0];
      s.last = s.t[s.t.length - 1];
    }
  }

  function pathOf(xy, n) {
    const path = new Path2D();
    path.moveTo(xy[0], xy[1]);
    if (n === 1) path.lineTo(xy[0] + 1e-3, xy[1]); // a dot: a zero-length segment keeps its round cap
    for (let i = 1; i < n; i++) path.lineTo(xy[2 * i], xy[2 * i + 1]);
    return path;
  }

  // How many times in the sorted array `t` are <= x.
  function countUpTo(t, x) {
    let lo = 0, hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid] <= x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function pageAt(time) {
    let slot = data.pageTimes[0][1];
    for (const [t, s] of data.pageTimes) if (t <= time) slot = s;
    return slot;
  }

  let view = { scale: 1, x: 0, y: 0 }; // CSS px per mm and the page's top-left in CSS px
  let shownSlot = pageAt(0);

  function layout() {
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(rect.width * dpr));
    canvas.height = Math.max(1, Math.round(rect.height * dpr));
    const page = data.pages[shownSlot];
    const w = rect.width - 2 * MARGIN_PX, h = rect.height - 2 * MARGIN_PX;
    const scale = Math.max(1e-3, Math.min(w / page.width_mm, h / page.height_mm));
    view = { scale, x: (rect.width - page.width_mm * scale) / 2, y: (rect.height - page.height_mm * scale) / 2 };
  }

  function drawStroke(ctx, s, color, width, path) {
    ctx.strokeStyle = color;
    ctx.lineCap = s.cap || "round";
    ctx.lineJoin = "round";
    ctx.setLineDash(s.dash || []);
    if (s.widths && s.xy.length > 2 && path === s.path) { // pressure: each segment its own width
      const n = s.xy.length / 2;
      for (let i = 0; i < n - 1; i++) {
        ctx.lineWidth = s.widths[i];
        ctx.beginPath();
        ctx.moveTo(s.xy[2 * i], s.xy[2 * i + 1]);
        ctx.lineTo(s.xy[2 * i + 2], s.xy[2 * i + 3]);
        ctx.stroke();
      }
      return;
    }
    ctx.lineWidth = width;
    ctx.stroke(path);
  }

  // A filled stroke: its polyline closed, painted under the line at fill_alpha.
  function fill(ctx, s, color, alpha) {
    if (s.fill_alpha === undefined) return;
    ctx.fillStyle = `rgba(${color[0]},${color[1]},${color[2]},${(s.fill_alpha / 255) * alpha})`;
    ctx.fill(s.path);
  }

  // Until the user plays, seeks or taps, the page shows its finished ink (as the program
  // does when stopped), not every stroke faint at 0:00.
  let started = false;

  function draw() {
    const time = audio.currentTime || 0;
    const slot = pageAt(time);
    if (slot !== shownSlot) { shownSlot = slot; layout(); }
    const page = data.pages[shownSlot];
    const ctx = canvas.getContext("2d");
    const dpr = canvas.width / Math.max(1, canvas.getBoundingClientRect().width);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(view.scale * dpr, 0, 0, view.scale * dpr, view.x * dpr, view.y * dpr);
    ctx.fillStyle = "rgba(0,0,0,0.25)";
    ctx.fillRect(0.8, 0.8, page.width_mm, page.height_mm); // shadow, as in the program
    if (page.image.complete && page.image.naturalWidth) {
      ctx.drawImage(page.image, 0, 0, page.width_mm, page.height_mm);
    } else {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, page.width_mm, page.height_mm);
    }
    for (const s of page.strokes) {
      const color = s.color;
      ctx.globalCompositeOperation = s.highlighter ? "multiply" : "source-over"; // as the program
      if (!started || s.last <= time) {
        fill(ctx, s, color, 1);
        drawStroke(ctx, s, rgba(color, 1), s.width, s.path);
      } else if (s.first <= time) { // being written: the drawn part, highlighted
        const n = countUpTo(s.t, time);
        ctx.globalCompositeOperation = "source-over";
        drawStroke(ctx, s, rgba(style.writing_color, 1), s.width * style.writing_width_factor, pathOf(s.xy, n));
      } else if (style.show_ghosts) {
        fill(ctx, s, color, style.ghost_alpha);
        drawStroke(ctx, s, rgba(color, style.ghost_alpha), s.width, s.path);
      }
    }
    ctx.globalCompositeOperation = "source-over";
    updateControls(time);
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
  }

  // The transcript (when the recording was transcribed): one paragraph per segment, a span
  // per word (built as text nodes: the words cannot inject markup); the word being heard
  // is highlighted, a click on a word plays from its start.
  const panel = document.getElementById("transcript");
  const wordSpans = [], wordStarts = [];
  let currentWord = -1;

  function buildTranscript() {
    if (!data.transcript) return;
    for (const segment of data.transcript) {
      const paragraph = document.createElement("p");
      const at = document.createElement("span");
      at.className = "at";
      at.textContent = clock(segment.start);
      at.dataset.start = String(segment.start);
      paragraph.appendChild(at);
      for (const [text, start] of segment.words) {
        const span = document.createElement("span");
        span.className = "word";
        span.textContent = text;
        span.dataset.start = String(start);
        span.dataset.k = String(wordSpans.length);
        wordSpans.push(span);
        wordStarts.push(start);
        paragraph.appendChild(span);
      }
      panel.appendChild(paragraph);
    }
    panel.hidden = false;
    panel.addEventListener("click", (event) => {
      const target = event.target;
      if (!(target instanceof HTMLElement) || target.dataset.start === undefined) return;
      audio.currentTime = Math.min(Math.max(Number(target.dataset.start), 0), data.duration);
      play();
      draw();
    });
  }

  function highlightWord(time) {
    const k = started ? countUpTo(wordStarts, time) - 1 : -1;
    if (k === currentWord) return;
    if (currentWord >= 0) wordSpans[currentWord].classList.remove("current");
    currentWord = k;
    if (k < 0) return;
    const span = wordSpans[k];
    span.classList.add("current");
    const box = span.getBoundingClientRect(), view = panel.getBoundingClientRect();
    if (box.top < view.top || box.bottom > view.bottom) span.scrollIntoView({ block: "center" });
  }

  function updateControls(time) {
    highlightWord(time);
    const duration = isFinite(audio.duration) ? audio.duration : data.duration;
    timeLabel.textContent = `${clock(time)} / ${clock(duration)}`;
    if (!seeking) { seek.max = String(duration); seek.value = String(time); }
    playButton.innerHTML = audio.paused ? "&#9654;" : "&#10074;&#10074;";
    playButton.setAttribute("aria-label", audio.paused ? "Play" : "Pause");
    const page = data.pages[shownSlot];
    pageLabel.textContent = data.pages.length > 1 ? `page ${page.label}` : "";
  }

  let frameRequested = false;
  function tick() {
    frameRequested = false;
    draw();
    if (!audio.paused) requestFrame();
  }
  function requestFrame() {
    if (!frameRequested) { frameRequested = true; requestAnimationFrame(tick); }
  }

  function play() {
    const started = audio.play();
    if (started) started.catch(() => {}); // refused without a user gesture: stay paused
  }

  // The stroke point under a tap: nearest segment within the radius, time interpolated.
  function hitAt(xMm, yMm, radiusMm) {
    let best = null;
    for (const s of data.pages[shownSlot].strokes) {
      if (!s.play) continue;
      const n = s.xy.length / 2;
      for (let i = 0; i < Math.max(1, n - 1); i++) {
        const j = Math.min(i + 1, n - 1);
        const ax = s.xy[2 * i], ay = s.xy[2 * i + 1], bx = s.xy[2 * j], by = s.xy[2 * j + 1];
        const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        const u = len2 > 0 ? Math.min(1, Math.max(0, ((xMm - ax) * dx + (yMm - ay) * dy) / len2)) : 0;
        const d = Math.hypot(ax + u * dx - xMm, ay + u * dy - yMm);
        if (d <= radiusMm && (best === null || d < best.distance)) {
          best = { distance: d, time: s.t[i] + u * (s.t[j] - s.t[i]) };
        }
      }
    }
    return best;
  }

  function pageToClient(xMm, yMm) {
    const rect = canvas.getBoundingClientRect();
    return { x: rect.left + view.x + xMm * view.scale, y: rect.top + view.y + yMm * view.scale };
  }

  function clientToPage(x, y) {
    const rect = canvas.getBoundingClientRect();
    return { x: (x - rect.left - view.x) / view.scale, y: (y - rect.top - view.y) / view.scale };
  }

  canvas.addEventListener("pointerdown", (event) => {
    const p = clientToPage(event.clientX, event.clientY);
    const hit = hitAt(p.x, p.y, TAP_RADIUS_PX / view.scale);
    if (hit === null || hit.time < 0 || hit.time > data.duration) return;
    audio.currentTime = hit.time;
    play();
    draw();
  });
  canvas.addEventListener("pointermove", (event) => {
    const p = clientToPage(event.clientX, event.clientY);
    canvas.classList.toggle("over-ink", hitAt(p.x, p.y, TAP_RADIUS_PX / view.scale) !== null);
  });

  let seeking = false;
  seek.addEventListener("input", () => { seeking = true; audio.currentTime = Number(seek.value); draw(); });
  seek.addEventListener("change", () => { seeking = false; });
  playButton.addEventListener("click", () => { if (audio.paused) play(); else audio.pause(); });
  document.addEventListener("keydown", (event) => {
    if (event.code === "Space" && event.target !== seek) {
      event.preventDefault();
      if (audio.paused) play(); else audio.pause();
    }
  });
  for (const name of ["play", "seeking"]) audio.addEventListener(name, () => { started = true; });
  for (const name of ["play", "pause", "seeked", "loadedmetadata", "ended"]) {
    audio.addEventListener(name, () => { draw(); if (!audio.paused) requestFrame(); });
  }
  window.addEventListener("resize", () => { layout(); draw(); });

  buildTranscript();
  layout();
  draw();
  // For scripts driving the page (and the tests): the audio and the page geometry.
  window.pencastPlayer = { audio, data, pageToClient, clientToPage, shownPage: () => data.pages[shownSlot].index,
    currentWord: () => currentWord, wordSpans };
})();
