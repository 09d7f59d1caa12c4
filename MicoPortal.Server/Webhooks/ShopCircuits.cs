using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// Each shop's lane on this instance: how many of its requests are in flight (at most
/// <see cref="WebhookOptions.Parallelism"/>, so a slow shop never holds the whole sender) and its circuit.
/// After <see cref="WebhookOptions.CircuitFailures"/> failed tries in a row the circuit opens: the shop's events
/// are not claimed for the cool-down, then one probe goes; a failed probe doubles the cool-down (up to 16 times
/// <see cref="WebhookOptions.CircuitCooldown"/>), a success closes the circuit. Kept in memory: a restarted
/// instance starts closed and finds out again within <see cref="WebhookOptions.CircuitFailures"/> tries.
/// </summary>
public sealed class ShopCircuits(IOptions<WebhookOptions> options, TimeProvider time)
{
    private const int MaxCooldownFactor = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    private sealed class Lane
    {
        public int InFlight;
        public int FailuresInARow;
        public int Opens;
        public DateTimeOffset? OpenUntil;
        public bool Probing;
    }

    /// <summary>Requests the shop may start now: none while its circuit is open or its probe is out, one probe after the cool-down.</summary>
    public int FreeSlots(string shop)
    {
        lock (_gate)
        {
            return FreeSlots(_lanes.GetValueOrDefault(shop), time.GetUtcNow());
        }
    }

    /// <summary>The shops whose events must not be claimed now (full lane, open circuit or probe out).</summary>
    public List<string> Blocked()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return [.. _lanes.Where(l => FreeSlots(l.Value, now) == 0).Select(l => l.Key)];
        }
    }

    /// <summary>The shops whose circuit is open now (not the ones waiting only for a free slot).</summary>
    public List<string> Open()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return [.. _lanes.Where(l => l.Value.OpenUntil is not null && (l.Value.OpenUntil > now || l.Value.Probing)).Select(l => l.Key)];
        }
    }

    public (bool Open, DateTimeOffset? Until) StateOf(string shop)
    {
        lock (_gate)
        {
            // Waiting for its probe (or probing) is still open: only a success closes it.
            return _lanes.GetValueOrDefault(shop)?.OpenUntil is { } until ? (true, until) : (false, null);
        }
    }

    /// <summary>Takes a slot for a request that is about to start; false when the shop has none free (another claim took it).</summary>
    public bool TryStart(string shop)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_lanes.TryGetValue(shop, out var lane))
            {
                _lanes[shop] = lane = new Lane();
            }

            if (FreeSlots(lane, now) == 0)
            {
                return false;
            }

            lane.InFlight++;
            lane.Probing = lane.OpenUntil is not null;
            return true;
        }
    }

    /// <summary>A request ended: a 2xx closes the circuit, anything else counts towards opening it (or reopens it after a probe).</summary>
    public void Finished(string shop, bool succeeded)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var lane = _lanes[shop];
            lane.InFlight--;
            if (succeeded)
            {
                (lane.FailuresInARow, lane.Opens, lane.OpenUntil, lane.Probing) = (0, 0, null, false);
                return;
            }

            lane.FailuresInARow++;
            var probeFailed = lane.Probing;
            lane.Probing = false;
            if (probeFailed || (lane.OpenUntil is null && lane.FailuresInARow >= settings.CircuitFailures))
            {
                lane.Opens++;
                var factor = Math.Min(MaxCooldownFactor, 1 << Math.Min(lane.Opens - 1, 30));
                lane.OpenUntil = now + settings.CircuitCooldown * factor;
            }
        }
    }

    /// <summary>A slot taken by <see cref="TryStart"/> for a request that never started: given back, nothing counted.</summary>
    public void Abandoned(string shop)
    {
        lock (_gate)
        {
            var lane = _lanes[shop];
            lane.InFlight--;
            lane.Probing = false;
        }
    }

    /// <summary>An admin resent the shop's events (the shop says it is fixed): try now instead of after the cool-down.</summary>
    public void Close(string? shop)
    {
        lock (_gate)
        {
            foreach (var lane in shop is null ? [.. _lanes.Values] : _lanes.TryGetValue(shop, out var one) ? [one] : new List<Lane>())
            {
                (lane.FailuresInARow, lane.Opens, lane.OpenUntil, lane.Probing) = (0, 0, null, false);
            }
        }
    }

    private int FreeSlots(Lane? lane, DateTimeOffset now)
    {
        if (lane is null)
        {
            return options.Value.Parallelism;
        }

        if (lane.OpenUntil is { } until)
        {
            // Open: nothing until the cool-down passes, then one probe at a time (requests started before it opened finish first).
            return until > now || lane.Probing || lane.InFlight > 0 ? 0 : 1;
        }

        return Math.Max(0, options.Value.Parallelism - lane.InFlight);
    }
}
