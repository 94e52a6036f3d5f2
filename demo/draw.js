// The Draw tab: a 280x280 pad (pointer events: mouse, pen and touch alike), reduced to a 28x28
// digit the way MNIST's were made (the ink's bounding box scaled to fit 20x20, then centred by
// its centre of mass in 28x28), and a bar per class of the model's probabilities.

/** The pad's ink as 784 values in [0, 1], MNIST-style, or null if it is blank. */
function toMnist(pad, small) {
  const { width, height } = pad;
  const ink = pad.getContext("2d").getImageData(0, 0, width, height).data;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[(y * width + x) * 4] > 20) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  const ctx = small.getContext("2d", { willReadFrequently: true });
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, 28, 28);
  ctx.imageSmoothingQuality = "high";
  const dw = w * scale;
  const dh = h * scale;
  ctx.drawImage(pad, x0, y0, w, h, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  const rgba = ctx.getImageData(0, 0, 28, 28).data;
  const gray = new Float32Array(784);
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < 784; i++) {
    const v = rgba[i * 4] / 255;
    gray[i] = v;
    mass += v;
    mx += v * (i % 28);
    my += v * Math.floor(i / 28);
  }
  // Shift so that the centre of mass lands on the centre of the 28x28 frame.
  const sx = Math.round(13.5 - mx / mass);
  const sy = Math.round(13.5 - my / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const fx = x - sx;
      const fy = y - sy;
      if (fx >= 0 && fx < 28 && fy >= 0 && fy < 28) out[y * 28 + x] = gray[fy * 28 + fx];
    }
  }
  const image = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(out[i] * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return out;
}

export function setupDraw({ pad, small, guess, bars, clear, model, predict }) {
  const ctx = pad.getContext("2d", { willReadFrequently: true });
  const rows = [];
  for (let d = 0; d < 10; d++) {
    const label = document.createElement("span");
    label.textContent = d;
    const track = document.createElement("div");
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = "0";
    track.append(bar);
    const value = document.createElement("span");
    value.textContent = "";
    bars.append(label, track, value);
    rows.push({ bar, value });
  }

  const blank = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, pad.width, pad.height);
    guess.textContent = "?";
    delete guess.dataset.digit;
    for (const r of rows) {
      r.bar.style.width = "0";
      r.value.textContent = "";
    }
  };
  blank();

  // One prediction in flight at a time; a stroke that moves meanwhile asks again when it lands.
  let busy = false;
  let again = false;
  async function update() {
    if (busy) {
      again = true;
      return;
    }
    const pixels = toMnist(pad, small);
    if (pixels === null) return;
    busy = true;
    const probs = await predict(model(), pixels);
    busy = false;
    if (probs !== null) {
      let best = 0;
      for (let d = 0; d < 10; d++) {
        rows[d].bar.style.width = `${(probs[d] * 100).toFixed(1)}%`;
        rows[d].value.textContent = `${(probs[d] * 100).toFixed(1)}%`;
        if (probs[d] > probs[best]) best = d;
      }
      guess.textContent = best;
      guess.dataset.digit = best;
    }
    if (again) {
      again = false;
      update();
    }
  }

  let last = null;
  const point = (e) => {
    const r = pad.getBoundingClientRect();
    return [
      ((e.clientX - r.left) * pad.width) / r.width,
      ((e.clientY - r.top) * pad.height) / r.height,
    ];
  };
  pad.addEventListener("pointerdown", (e) => {
    pad.setPointerCapture(e.pointerId);
    last = point(e);
    ctx.fillStyle = "#fff";
    ctx.beginPath();
    ctx.arc(last[0], last[1], 9, 0, 2 * Math.PI);
    ctx.fill();
    update();
  });
  pad.addEventListener("pointermove", (e) => {
    if (last === null) return;
    const p = point(e);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 18;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    last = p;
    update();
  });
  const end = () => {
    if (last === null) return;
    last = null;
    update();
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  clear.addEventListener("click", blank);
  for (const radio of document.querySelectorAll('input[name="model"]'))
    radio.addEventListener("change", update);
}
