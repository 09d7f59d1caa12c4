using System.Globalization;

namespace MicoPortal.Server.Metrics;

/// <summary>
/// Fixed-bucket latency histogram. Mergeable by adding counts, so per-minute rollups answer
/// p50/p95/p99 for any window without keeping every sample.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds (inclusive) of each bucket in ms; a last bucket catches everything above.</summary>
    public static readonly long[] BoundsMs =
    [
        25, 50, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000,
        15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
    ];

    private readonly long[] _counts = new long[BoundsMs.Length + 1];

    public long Count { get; private set; }

    /// <summary>Counts per bucket: one per <see cref="BoundsMs"/> entry, then the overflow bucket.</summary>
    public ReadOnlySpan<long> Buckets => _counts;

    public void Add(long latencyMs, long times = 1)
    {
        var index = Array.BinarySearch(BoundsMs, latencyMs);
        _counts[index >= 0 ? index : ~index] += times;
        Count += times;
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>Percentile (0..100) by linear interpolation inside the bucket; 0 when empty.</summary>
    public double Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = percentile / 100.0 * Count;
        double seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }

            if (seen + _counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : BoundsMs[i - 1];
                var upper = i < BoundsMs.Length ? BoundsMs[i] : BoundsMs[^1] * 2;
                var within = (rank - seen) / _counts[i];
                return Math.Round(lower + (upper - lower) * within, 1);
            }

            seen += _counts[i];
        }

        return BoundsMs[^1];
    }

    public string Serialize() => string.Join(',', _counts.Select(c => c.ToString(CultureInfo.InvariantCulture)));

    public static LatencyHistogram Parse(string? text)
    {
        var histogram = new LatencyHistogram();
        if (string.IsNullOrEmpty(text))
        {
            return histogram;
        }

        var parts = text.Split(',');
        for (var i = 0; i < Math.Min(parts.Length, histogram._counts.Length); i++)
        {
            var count = long.Parse(parts[i], CultureInfo.InvariantCulture);
            histogram._counts[i] = count;
            histogram.Count += count;
        }

        return histogram;
    }
}
