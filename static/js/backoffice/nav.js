// The sections' menu: on a phone it is one row that scrolls sideways; the section on screen is
// scrolled into view (at the right edge on an Arabic page, it would otherwise hide past it).
const current = document.querySelector('.bo-nav [aria-current="page"]');
if (current) current.scrollIntoView({ block: "nearest", inline: "center" });
