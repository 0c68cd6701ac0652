// Officials' chat page: ask, stream a cited answer, open each cited clause inside its document.
// Plain ES modules, no dependencies, no build step; each module has one job:
//   dom.js (elements and text), stream.js (server-sent events), server.js (waiting for the index),
//   filters.js, chat.js (questions and answers), panel.js (the clause panel), words.js (vi/en wording).

import { setReady, setUpChat } from "./chat.js";
import { $ } from "./dom.js";
import { currentFilters, loadFacets, setUpFilters } from "./filters.js";
import { isPhone, setUpPanel } from "./panel.js";
import { describeCorpus, waitUntilReady } from "./server.js";

setReady(false);
setUpFilters();
setUpChat(currentFilters);
setUpPanel();
if (!isPhone()) $("#question").focus();

const ready = waitUntilReady();
loadFacets(ready);
ready.then((health) => {
  $("#corpus-note").textContent = describeCorpus(health);
  setReady(true);
});
