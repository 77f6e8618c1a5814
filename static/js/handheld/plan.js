// The floor plan's geometry: x/y/width/height in grid units. Empty grid lines shrink to a
// gutter, and a wide plan on a narrow portrait phone is drawn turned (rows become columns), so
// tables stay big enough for a thumb. Pure: tables and room in, boxes out.

export const GUTTER = 14; // px for an empty grid line of the floor plan (walkways shrink, tables do not)
const MAX_UNIT = 140; // px: wider than this, a table for two looks like a banquet

function planBoxes(tables, turn) {
  var boxes = tables.map(function (tb) {
    return turn ? { tb: tb, x: tb.y, y: tb.x, w: tb.height, h: tb.width }
      : { tb: tb, x: tb.x, y: tb.y, w: tb.width, h: tb.height };
  });
  return { turn: turn, boxes: boxes, cols: axis(boxes, "x", "w"), rows: axis(boxes, "y", "h") };
}

// A phone: the plan as wide as the screen, rows of a fixed height (the page scrolls).
export function phonePlan(tables, width, turn) {
  var plan = planBoxes(tables, turn);
  plan.unitX = Math.max(56, Math.min(MAX_UNIT, (width - plan.cols.emptyCount * GUTTER) / plan.cols.usedCount));
  plan.unitY = turn ? 66 : Math.max(64, Math.min(110, plan.unitX * 0.8));
  return plan;
}

// A tablet: the plan fills its pane both ways, turned if that makes the tables bigger.
export function fitPane(tables, width, height) {
  var best = null;
  [false, true].forEach(function (turn) {
    var plan = planBoxes(tables, turn);
    var fit = function (room, a) { return (room - a.emptyCount * GUTTER) / a.usedCount; };
    // 44 px is the smallest target for a thumb; a table is rarely a single grid unit wide.
    plan.unitX = Math.max(44, Math.min(MAX_UNIT * 1.3, fit(width, plan.cols)));
    plan.unitY = Math.max(44, Math.min(MAX_UNIT, fit(height, plan.rows)));
    plan.size = Math.min(plan.unitX, plan.unitY);
    if (!best || plan.size > best.size + 1) best = plan;
  });
  return best;
}

// Per grid line: how many used lines (a table's width each) and empty ones (a gutter each)
// come before it.
function axis(boxes, pos, size) {
  var span = 0;
  boxes.forEach(function (b) { span = Math.max(span, b[pos] + b[size]); });
  var busy = new Array(span).fill(false);
  boxes.forEach(function (b) {
    for (var i = b[pos]; i < b[pos] + b[size]; i++) busy[i] = true;
  });
  var used = [0], empty = [0];
  for (var i = 0; i < span; i++) {
    used.push(used[i] + (busy[i] ? 1 : 0));
    empty.push(empty[i] + (busy[i] ? 0 : 1));
  }
  return { span: span, used: used, empty_at: empty, emptyCount: empty[span], usedCount: used[span] };
}
