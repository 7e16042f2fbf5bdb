// One way to start Debian's Chromium for every browser test (through playwright-core; nothing is downloaded).
import { chromium } from "playwright-core";

// `executable` defaults to /usr/bin/chromium, Debian's launcher script.
export function launch(executable) {
  return chromium.launch({
    executablePath: executable || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Shared memory in /tmp, not /dev/shm: CI containers often give /dev/shm 64 MB or less, and with several
      // tabs open Chromium's renderers then crash ("Page crashed"; reproduced with a 16 MB /dev/shm). Debian's
      // launcher means to add this flag itself when /dev/shm is small, but its check breaks when `findmnt`
      // prints more than one line, as it does in containers.
      "--disable-dev-shm-usage",
    ],
  });
}
