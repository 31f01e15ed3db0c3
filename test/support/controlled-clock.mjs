// Preloaded into a process under test (node --import): a clock the test moves forward.
// Each SIGWINCH (a signal Nest's shutdown hooks leave alone) adds CLOCK_STEP_MS to Date.now() and `new Date()`, and the process
// prints `clock: +<total> ms` once the new time is in force. Timers and I/O are untouched.
const step = Number(process.env.CLOCK_STEP_MS);
if (!Number.isInteger(step) || step <= 0) throw new Error('CLOCK_STEP_MS must be a positive integer');
const RealDate = Date;
let offset = 0;

class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }

  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate;

process.on('SIGWINCH', () => {
  offset += step;
  process.stdout.write(`clock: +${offset} ms\n`);
});
