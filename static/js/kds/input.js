// The cook's hands: taps on the board and the side panels, and the keyboard or bump bar
// (1-9 pick a card of this page, Enter bumps, S starts, R recalls, arrows move, PageUp and
// PageDown turn the page, Escape closes an overlay).
import { $, root, RTL, state } from "./context.js";
import {
  askReadyAnyway, bumpLine, bumpTicket, confirmReadyAnyway, recall, reprint, startTicket,
} from "./commands.js";
import { closeOverlays, openOverlay, openPicker, overlayOpen } from "./overlays.js";
import { boardPages, render } from "./render.js";
import { chime, unlockAudio } from "./sound.js";
import { chooseStation } from "./station.js";
import { ordered } from "./tickets.js";

function onBoardClick(event) {
  const card = event.target.closest(".kds-card");
  if (!card) return;
  const id = Number(card.dataset.ticket);
  const action = event.target.closest("[data-action]");
  const line = event.target.closest(".kds-line[role=button]");
  state.selected = id;
  if (action && action.dataset.action === "bump") bumpTicket(id);
  else if (action && action.dataset.action === "ready-anyway") askReadyAnyway(id);
  else if (action && action.dataset.action === "start") startTicket(id);
  else if (action && action.dataset.action === "reprint") reprint(id);
  else if (line) bumpLine(id, Number(line.dataset.line));
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  render();
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
  if (event.key === "Escape") {
    closeOverlays();
    return;
  }
  if (overlayOpen()) return;
  const pages = boardPages();
  const list = ordered(state.tickets);
  const index = list.findIndex((x) => x.id === state.selected);
  const shown = pages.shown();
  let handled = true;
  if (/^[1-9]$/.test(event.key)) {
    const pick = shown[Number(event.key) - 1]; // the number on the card, on this page
    if (pick !== undefined) state.selected = pick;
  } else if (event.key === "Enter" || event.key === " ") {
    if (state.selected !== null && state.tickets.has(state.selected)) bumpTicket(state.selected);
    else if (shown.length) state.selected = shown[0];
  } else if (event.key === "PageDown" || event.key === "PageUp") {
    pages.show(pages.page + (event.key === "PageDown" ? 1 : -1));
  } else if (event.key === "s" || event.key === "S") {
    if (state.selected !== null) startTicket(state.selected);
  } else if (event.key === "r" || event.key === "R") {
    recall(null);
  } else if (["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp"].indexOf(event.key) >= 0) {
    const forward = event.key === "ArrowDown" || event.key === (RTL ? "ArrowLeft" : "ArrowRight");
    if (list.length) {
      const next = index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + (forward ? 1 : -1)));
      state.selected = list[next].id;
      pages.reveal(state.selected); // the page it is on
    }
  } else {
    handled = false;
  }
  if (handled) {
    event.preventDefault();
    render();
  }
}

/** Listen to the board, the side panels, the overlays and the keys. */
export function listen() {
  document.addEventListener("pointerdown", unlockAudio, true);
  document.addEventListener("keydown", unlockAudio, true);
  $(".kds-board").addEventListener("click", onBoardClick);
  $("[data-testid=recall-last]").addEventListener("click", () => recall(null));
  $("[data-testid=sound-hint]").addEventListener("click", () => {
    unlockAudio();
    chime();
  });
  $("[data-testid=recent-open]").addEventListener("click", () => openOverlay("recent-drawer"));
  $("[data-testid=all-day-toggle]").addEventListener("click", (event) => {
    const hidden = root.classList.toggle("hide-all-day");
    event.currentTarget.setAttribute("aria-pressed", hidden ? "false" : "true");
  });
  $("[data-testid=station-button]").addEventListener("click", openPicker);
  $("[data-testid=confirm-yes]").addEventListener("click", confirmReadyAnyway);
  $(".kds-recent-list").addEventListener("click", (event) => {
    const button = event.target.closest("[data-recall]");
    if (!button) return;
    recall(Number(button.dataset.recall));
    closeOverlays();
  });
  root.querySelectorAll(".kds-overlay").forEach((overlay) => {
    overlay.addEventListener("click", (event) => {
      if (event.target === overlay || event.target.closest("[data-close]")) closeOverlays();
    });
  });
  $("[data-testid=station-picker]").addEventListener("click", (event) => {
    const tile = event.target.closest("[data-station]");
    if (tile) {
      closeOverlays();
      chooseStation(tile.dataset.station);
    }
  });
  document.addEventListener("keydown", onKey);
}
