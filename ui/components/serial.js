// Refreshes run one at a time: a refresh asked for while one runs is done
// once more afterwards, so an older answer never paints over a newer one.

export function serial(fn) {
  let running = null;
  let again = false;
  return function run() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
