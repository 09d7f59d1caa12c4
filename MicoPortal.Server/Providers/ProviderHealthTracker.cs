using MicoPortal.Shared.Providers;

namespace MicoPortal.Server.Providers;

/// <summary>
/// A provider's health from how the portal's calls to it ended over the last <see cref="Window"/>, with a
/// circuit: <see cref="ProviderHealth.Down"/> (most calls failing: timeouts, 5xx, dropped connections) stops
/// new attempts from being routed there, and only a read-only probe that answers (its balance) closes it again.
/// Routing cannot close it by trying: every create sent to a dying provider is an order whose outcome may
/// become unknown. Queries and callbacks go on while it is down; they are reads.
/// Also keeps the figures the Providers page shows: p95 latency of answered calls and the share of this
/// provider's finished attempts that delivered.
/// </summary>
public sealed class ProviderHealthTracker
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    /// <summary>Fewer calls than this in the window say nothing about the provider.</summary>
    public const int MinCalls = 20;

    /// <summary>This share of failed calls opens the circuit.</summary>
    public const double DownShare = 0.5;

    /// <summary>This share of failed or refused calls makes the provider degraded (routing still uses it).</summary>
    public const double DegradedShare = 0.1;

    /// <summary>How long an open circuit waits between probes.</summary>
    public static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(10);

    private const int Seconds = 30;
    private const int LatencySamples = 512;
    private const int OutcomeMinutes = 15;

    private readonly object _lock = new();
    private readonly (long Second, int Answered, int Refused, int Failed)[] _calls = new (long, int, int, int)[Seconds];
    private readonly double[] _latencies = new double[LatencySamples];
    private readonly (long Minute, int Delivered, int Failed)[] _outcomes = new (long, int, int)[OutcomeMinutes];
    private int _latencyCount;
    private int _latencyNext;
    private bool _open;
    private long _lastProbeMs;

    /// <summary>Records how one call ended (from the provider's limiter).</summary>
    public void Record(CallOutcome outcome, double latencyMs, long nowMs)
    {
        lock (_lock)
        {
            var second = nowMs / 1000;
            ref var bucket = ref _calls[second % Seconds];
            if (bucket.Second != second)
            {
                bucket = (second, 0, 0, 0);
            }

            switch (outcome)
            {
                case CallOutcome.Answered:
                    bucket.Answered++;
                    _latencies[_latencyNext] = latencyMs;
                    _latencyNext = (_latencyNext + 1) % LatencySamples;
                    _latencyCount = Math.Min(_latencyCount + 1, LatencySamples);
                    break;
                case CallOutcome.Refused:
                    bucket.Refused++;
                    break;
                default:
                    bucket.Failed++;
                    break;
            }

            if (!_open)
            {
                var (answered, refused, failed) = Totals(second);
                var total = answered + refused + failed;
                if (total >= MinCalls && failed >= DownShare * total)
                {
                    _open = true;
                    _lastProbeMs = nowMs;
                }
            }
        }
    }

    /// <summary>Records that an attempt at this provider ended (delivered or failed), for its success rate.</summary>
    public void RecordAttempt(bool delivered, long nowMs)
    {
        lock (_lock)
        {
            var minute = nowMs / 60_000;
            ref var bucket = ref _outcomes[minute % OutcomeMinutes];
            if (bucket.Minute != minute)
            {
                bucket = (minute, 0, 0);
            }

            if (delivered)
            {
                bucket.Delivered++;
            }
            else
            {
                bucket.Failed++;
            }
        }
    }

    public ProviderHealth Health(long nowMs)
    {
        lock (_lock)
        {
            if (_open)
            {
                return ProviderHealth.Down;
            }

            var (answered, refused, failed) = Totals(nowMs / 1000);
            var total = answered + refused + failed;
            return total >= MinCalls && refused + failed >= DegradedShare * total ? ProviderHealth.Degraded : ProviderHealth.Healthy;
        }
    }

    /// <summary>True when the circuit is open and the next probe is due.</summary>
    public bool ProbeDue(long nowMs)
    {
        lock (_lock)
        {
            return _open && nowMs - _lastProbeMs >= ProbeEvery.TotalMilliseconds;
        }
    }

    /// <summary>
    /// A probe answered (closes the circuit and forgets the failures that opened it) or did not (waits for the
    /// next probe).
    /// </summary>
    public void Probed(bool answered, long nowMs)
    {
        lock (_lock)
        {
            _lastProbeMs = nowMs;
            if (answered && _open)
            {
                _open = false;
                Array.Clear(_calls);
            }
        }
    }

    /// <summary>p95 of the last answered calls' latency; null before any.</summary>
    public double? LatencyP95Ms()
    {
        lock (_lock)
        {
            if (_latencyCount == 0)
            {
                return null;
            }

            var sorted = _latencies[.._latencyCount];
            Array.Sort(sorted);
            return Math.Round(sorted[(int)Math.Ceiling(0.95 * _latencyCount) - 1], 1);
        }
    }

    /// <summary>Share of this provider's attempts that delivered, of those that ended in the last 15 minutes; null before any.</summary>
    public double? SuccessRate(long nowMs)
    {
        lock (_lock)
        {
            var minute = nowMs / 60_000;
            long delivered = 0, failed = 0;
            foreach (var bucket in _outcomes)
            {
                if (minute - bucket.Minute < OutcomeMinutes)
                {
                    delivered += bucket.Delivered;
                    failed += bucket.Failed;
                }
            }

            return delivered + failed == 0 ? null : Math.Round((double)delivered / (delivered + failed), 4);
        }
    }

    private (int Answered, int Refused, int Failed) Totals(long second)
    {
        int answered = 0, refused = 0, failed = 0;
        foreach (var bucket in _calls)
        {
            if (second - bucket.Second < Seconds)
            {
                answered += bucket.Answered;
                refused += bucket.Refused;
                failed += bucket.Failed;
            }
        }

        return (answered, refused, failed);
    }
}
