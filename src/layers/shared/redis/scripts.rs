//! The Lua scripts: each reads and writes one limit atomically, on the Redis server's clock
//! (`TIME`), the one clock every instance agrees on. Times are microseconds since the epoch
//! (exact in Lua's doubles until the year 2255); durations travel as whole microseconds, and
//! stored times are written with `%.0f` so that Lua never shortens them to an exponent.
//!
//! Every key expires: a limiter's once its state is back to "fresh", a back-off at its end, the
//! gate after [`GATE_TTL`](super::GATE_TTL) without news, a probe lease after its term.

use std::sync::LazyLock;

use ::redis::Script;

/// The server's time in microseconds, as `now`.
const NOW: &str = "local time = redis.call('TIME')\n\
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])\n";

/// GCRA (the algorithm governor uses in process), for the throughput limit: `KEYS[1]` holds the limiter's theoretical
/// arrival time; `ARGV[1]` is the emission interval (µs), `ARGV[2]` the burst. With `KEYS[2]`
/// (throughput), a running 130429 back-off of the number refuses first.
/// Returns `{1, 0}` (granted) or `{0, wait_us}`.
const PERMIT: &str = "
if KEYS[2] then
  local hold = redis.call('PTTL', KEYS[2])
  if hold > 0 then return {0, hold * 1000} end
end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - interval * burst
if now < allow_at then return {0, allow_at - now} end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
  math.floor((new_tat - now) / 1000) + 1)
return {1, 0}
";

/// The pair limit with Meta's pay-back rule (the in-process rule of
/// `layers::rate_limit::pair`): `KEYS[1]` is a hash of the burst window's end (`w`), the
/// messages sent in it (`s`) and the moment the debt is paid (`p`); `ARGV[1]` is the interval
/// (µs), `ARGV[2]` the burst. A burst of N within one interval is followed by N intervals of
/// silence, not by one message per interval as GCRA would let through (and Meta would answer
/// with 131056). Returns `{1, 0}` (granted) or `{0, wait_us}`.
const PAIR_PERMIT: &str = "
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local debt = redis.call('HMGET', KEYS[1], 'w', 's', 'p')
local paid = tonumber(debt[3])
if paid and now < paid then
  local window_end = tonumber(debt[1]) or 0
  local sent = tonumber(debt[2]) or burst
  if now < window_end and sent < burst then
    paid = paid + interval
    redis.call('HSET', KEYS[1], 's', tostring(sent + 1), 'p', string.format('%.0f', paid))
    redis.call('PEXPIRE', KEYS[1], math.floor((paid - now) / 1000) + 1)
    return {1, 0}
  end
  return {0, paid - now}
end
local window_end = string.format('%.0f', now + interval)
redis.call('HSET', KEYS[1], 'w', window_end, 's', '1', 'p', window_end)
redis.call('PEXPIRE', KEYS[1], math.floor(interval / 1000) + 1)
return {1, 0}
";

/// A back-off of `ARGV[1]` ms on `KEYS[1]`, unless a longer one runs.
const BACKOFF: &str = "
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then
  redis.call('SET', KEYS[1], '1', 'PX', ms)
end
return 1
";

/// Closes the gate (`KEYS[1]`, a hash: closed, epoch, next, step) if it is open, with the first
/// probe due after `ARGV[1]` µs; `ARGV[2]` is the gate's time to live (ms). Returns 1 if this
/// call closed it.
const GATE_CLOSE: &str = "
if redis.call('HGET', KEYS[1], 'closed') == '1' then return 0 end
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'closed', '1',
  'next', string.format('%.0f', now + tonumber(ARGV[1])), 'step', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
";

/// May this instance (token `ARGV[1]`) probe? The lease (`KEYS[2]`) lasts `ARGV[2]` ms; while
/// another instance holds it, ask again within `ARGV[3]` µs. Returns `{0}` (open),
/// `{1, wait_us}` or `{2, epoch, step}` (granted).
const GATE_TRY: &str = "
local gate = redis.call('HMGET', KEYS[1], 'closed', 'epoch', 'next', 'step')
if gate[1] ~= '1' then return {0} end
local next_probe = tonumber(gate[3]) or now
if now < next_probe then return {1, next_probe - now} end
local held = redis.call('PTTL', KEYS[2])
if held > 0 then return {1, math.min(held * 1000, tonumber(ARGV[3]))} end
redis.call('SET', KEYS[2], ARGV[1] .. ':' .. gate[2], 'PX', ARGV[2])
return {2, tonumber(gate[2]), tonumber(gate[4]) or 0}
";

/// The probe of outage `ARGV[2]` by `ARGV[1]` failed: returns the lease, and the next probe is
/// due after `ARGV[3]` µs. A gate found open closes anew when `ARGV[5]` is 1. `ARGV[4]`: the
/// gate's time to live (ms).
const GATE_FAILED: &str = "
if redis.call('GET', KEYS[2]) == ARGV[1] .. ':' .. ARGV[2] then redis.call('DEL', KEYS[2]) end
local gate = redis.call('HMGET', KEYS[1], 'closed', 'epoch', 'step')
local next_probe = string.format('%.0f', now + tonumber(ARGV[3]))
if gate[1] == '1' then
  if gate[2] == ARGV[2] then
    redis.call('HSET', KEYS[1], 'next', next_probe, 'step', tostring((tonumber(gate[3]) or 0) + 1))
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
  end
elseif ARGV[5] == '1' then
  redis.call('HINCRBY', KEYS[1], 'epoch', 1)
  redis.call('HSET', KEYS[1], 'closed', '1', 'next', next_probe, 'step', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
";

/// An answer proved the API up: opens the gate and drops any lease.
const GATE_OPEN: &str = "
if redis.call('HGET', KEYS[1], 'closed') == '1' then
  redis.call('HSET', KEYS[1], 'closed', '0')
end
redis.call('DEL', KEYS[2])
return 1
";

/// Returns the lease of outage `ARGV[2]` if `ARGV[1]` still holds it.
const GATE_RELEASE: &str = "
if redis.call('GET', KEYS[1]) == ARGV[1] .. ':' .. ARGV[2] then redis.call('DEL', KEYS[1]) end
return 1
";

fn script(body: &str) -> Script {
    Script::new(&format!("{NOW}{body}"))
}

pub(super) static PERMIT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(PERMIT));
pub(super) static PAIR_PERMIT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(PAIR_PERMIT));
pub(super) static BACKOFF_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(BACKOFF));
pub(super) static GATE_CLOSE_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(GATE_CLOSE));
pub(super) static GATE_TRY_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(GATE_TRY));
pub(super) static GATE_FAILED_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(GATE_FAILED));
pub(super) static GATE_OPEN_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(GATE_OPEN));
pub(super) static GATE_RELEASE_SCRIPT: LazyLock<Script> =
    LazyLock::new(|| Script::new(GATE_RELEASE));
