using MicoPortal.Server.Metrics;
using MicoPortal.Shared.Incidents;

namespace MicoPortal.Server.Incidents;

/// <summary>A part of the traffic the detector watches on its own: one SKU in one region.</summary>
public readonly record struct SliceKey(string Sku, string Region);

/// <summary>One metric of one slice, e.g. the success rate of <c>coins-1000</c> in MENA.</summary>
public readonly record struct SeriesKey(string Metric, SliceKey Slice)
{
    public override string ToString() => $"{Metric}|{Slice.Sku}|{Slice.Region}";
}

/// <summary>Open orders of a slice right now: in Unknown, and flagged stuck.</summary>
public readonly record struct OpenCounts(long Unknown, long Stuck);

/// <summary>A series that is out of its normal range now, with the evidence.</summary>
public sealed record Anomaly(SeriesKey Series, IncidentSeverity Severity, IncidentEvidence Evidence);

/// <summary>
/// Learns what normal looks like per SKU and region and says which series are abnormal now.
/// Pure and in memory: <see cref="IncidentMonitor"/> feeds it the rollups and turns its answer into incidents,
/// and the replay test feeds it a synthetic day.
/// <para>
/// Why this method. Rates (success, and the share of slow deliveries) are judged with a binomial
/// standard score of the last <see cref="IncidentOptions.WindowMinutes"/> against a baseline learned as an
/// exponentially weighted average (half-life <see cref="IncidentOptions.BaselineHalfLifeMinutes"/>). The score
/// scales with volume, so 3 failures out of 40 at night and 30 out of 400 at noon are judged alike, which
/// is what a fixed threshold or a z-score over per-minute rates gets wrong: at night one failure moves the
/// rate by points. The traffic's day shape is mostly a volume shape, which the binomial variance already
/// absorbs, and the slower drift of the baseline itself (latency at peak) is followed by the average; a
/// seasonal day/hour profile would need weeks of history per slice before it knew anything.
/// A minimum effect size (<see cref="IncidentOptions.MinSuccessRateDrop"/>, <see cref="IncidentOptions.MinLatencyRatio"/>)
/// keeps statistically certain but harmless shifts at high volume quiet; a lower score to resolve than to
/// open keeps an incident from flapping; an abnormal series stops learning, so a long brown-out never
/// becomes the new normal. Counts of Unknown and stuck orders are gauges: compared with their own
/// average by a Poisson-style score, with a floor so a handful is never an incident.
/// </para>
/// </summary>
public sealed class AnomalyDetector(IncidentOptions options)
{
    /// <summary>Share of deliveries slower than the baseline p95 in normal times, by definition.</summary>
    private const double SlowShare = 0.05;

    /// <summary>A rate series with no orders to judge this long resolves: there is nothing wrong to show.</summary>
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(15);

    private readonly Dictionary<SliceKey, SliceState> _slices = [];
    private readonly Dictionary<SeriesKey, ActiveSeries> _active = [];

    /// <summary>Series abnormal at the last <see cref="Evaluate"/>.</summary>
    public IReadOnlyCollection<Anomaly> Active => _active.Values.Select(a => a.Anomaly).ToList();

    /// <summary>
    /// Sets one minute of one slice's outcomes (absolute counts: a minute still filling is set again as it
    /// grows). Minutes already learned are ignored.
    /// </summary>
    public void Record(DateTimeOffset minute, SliceKey slice, long delivered, long failed, LatencyHistogram latency)
    {
        var state = SliceOf(slice);
        if (state.LearnedThrough is { } learned && minute <= learned)
        {
            return;
        }

        state.Minutes[minute] = new MinuteOutcomes(delivered, failed, latency);
    }

    /// <summary>
    /// Learns from the minutes that left the window, judges the window and the open counts, and returns
    /// every series abnormal now. Slices missing from <paramref name="open"/> have no open orders.
    /// </summary>
    public IReadOnlyCollection<Anomaly> Evaluate(DateTimeOffset now, IReadOnlyDictionary<SliceKey, OpenCounts> open)
    {
        var windowStart = FloorToMinute(now) - TimeSpan.FromMinutes(options.WindowMinutes - 1);
        foreach (var slice in open.Keys)
        {
            SliceOf(slice);
        }

        foreach (var (slice, state) in _slices)
        {
            Learn(slice, state, windowStart);
            var window = state.Window(windowStart);
            JudgeSuccessRate(now, slice, state, window);
            JudgeLatency(now, slice, state, window);
            var counts = open.GetValueOrDefault(slice);
            JudgeCount(now, new SeriesKey(IncidentMetrics.Unknown, slice), state.Unknown, counts.Unknown, options.MinUnknown, options.MinUnknown * 5, "orders in Unknown");
            JudgeCount(now, new SeriesKey(IncidentMetrics.Stuck, slice), state.Stuck, counts.Stuck, options.MinStuck, options.CriticalStuck, "stuck orders");
        }

        foreach (var stale in _active.Where(a => now - a.Value.JudgedAt > Stale).Select(a => a.Key).ToList())
        {
            _active.Remove(stale);
        }

        return Active;
    }

    private SliceState SliceOf(SliceKey slice)
    {
        if (!_slices.TryGetValue(slice, out var state))
        {
            state = new SliceState(options.BaselineHalfLifeMinutes);
            _slices[slice] = state;
        }

        return state;
    }

    /// <summary>Minutes older than the window are complete: they join the baselines unless their series is abnormal.</summary>
    private void Learn(SliceKey slice, SliceState state, DateTimeOffset windowStart)
    {
        foreach (var minute in state.Minutes.Keys.Where(m => m < windowStart).Order().ToList())
        {
            var outcomes = state.Minutes[minute];
            state.Minutes.Remove(minute);
            var elapsed = state.LearnedThrough is { } last ? (minute - last).TotalMinutes : 1;
            state.LearnedThrough = minute;
            if (!_active.ContainsKey(new SeriesKey(IncidentMetrics.SuccessRate, slice)))
            {
                state.Failures.Add(outcomes.Failed, outcomes.Delivered + outcomes.Failed, elapsed);
            }

            if (!_active.ContainsKey(new SeriesKey(IncidentMetrics.LatencyP95, slice)))
            {
                state.Latency.Add(outcomes.Latency, elapsed);
            }
        }
    }

    private void JudgeSuccessRate(DateTimeOffset now, SliceKey slice, SliceState state, MinuteOutcomes window)
    {
        var series = new SeriesKey(IncidentMetrics.SuccessRate, slice);
        var orders = window.Delivered + window.Failed;
        if (orders < options.MinOrders)
        {
            return; // too little to judge either way: an open incident stays as it was
        }

        var expectedFailure = state.Failures.Rate(1 - options.ExpectedSuccessRate, options.PriorOrders);
        var failure = (double)window.Failed / orders;
        var score = BinomialScore(window.Failed, orders, expectedFailure);
        var drop = failure - expectedFailure;
        var abnormal = _active.ContainsKey(series)
            ? score >= options.ResolveScore && drop >= options.MinSuccessRateDrop / 2
            : score >= options.OpenScore && drop >= options.MinSuccessRateDrop;
        var severity = 1 - failure < options.CriticalSuccessRate ? IncidentSeverity.Critical : IncidentSeverity.Warning;
        Set(now, series, abnormal, severity, new IncidentEvidence(
            Math.Round(1 - failure, 4), Math.Round(1 - expectedFailure, 4), Math.Round(score, 1), orders,
            $"success rate {1 - failure:P1} over {orders} orders in the last {options.WindowMinutes} min, normally {1 - expectedFailure:P1}"));
    }

    private void JudgeLatency(DateTimeOffset now, SliceKey slice, SliceState state, MinuteOutcomes window)
    {
        var series = new SeriesKey(IncidentMetrics.LatencyP95, slice);
        var delivered = window.Latency.Count;
        if (delivered < options.MinOrders)
        {
            return;
        }

        var baseline = state.Latency.Weight >= options.PriorOrders ? state.Latency.Percentile(95) : options.ExpectedLatencyP95Ms;
        var slow = SlowerThan(window.Latency, baseline);
        var score = BinomialScore(slow, delivered, SlowShare);
        var observed = window.Latency.Percentile(95);
        var ratio = observed / Math.Max(baseline, 1);
        var abnormal = _active.ContainsKey(series)
            ? score >= options.ResolveScore && ratio >= 1 + (options.MinLatencyRatio - 1) / 2
            : score >= options.OpenScore && ratio >= options.MinLatencyRatio;
        var severity = ratio >= options.CriticalLatencyRatio ? IncidentSeverity.Critical : IncidentSeverity.Warning;
        Set(now, series, abnormal, severity, new IncidentEvidence(
            Math.Round(observed), Math.Round(baseline), Math.Round(score, 1), delivered,
            $"latency p95 {observed:0} ms over {delivered} deliveries in the last {options.WindowMinutes} min, normally {baseline:0} ms ({slow:0} slower than that)"));
    }

    private void JudgeCount(DateTimeOffset now, SeriesKey series, GaugeBaseline baseline, long count, int minimum, int critical, string what)
    {
        var expected = baseline.Mean;
        var score = PoissonScore(count, expected);
        var abnormal = _active.ContainsKey(series)
            ? count >= minimum / 2.0 && score >= options.ResolveScore
            : count >= minimum && count >= 2 * expected && score >= options.OpenScore;
        if (!abnormal)
        {
            baseline.Add(count, now, options.BaselineHalfLifeMinutes);
        }

        var severity = count >= critical ? IncidentSeverity.Critical : IncidentSeverity.Warning;
        Set(now, series, abnormal, severity, new IncidentEvidence(
            count, Math.Round(expected, 1), Math.Round(score, 1), count, $"{count} {what} now, normally {expected:0.#}"));
    }

    private void Set(DateTimeOffset now, SeriesKey series, bool abnormal, IncidentSeverity severity, IncidentEvidence evidence)
    {
        if (abnormal)
        {
            _active[series] = new ActiveSeries(new Anomaly(series, severity, evidence), now, NormalSince: null);
        }
        else if (_active.TryGetValue(series, out var active))
        {
            // Resolved only after a quiet spell: one good window in the middle of a brown-out is luck, not recovery.
            var normalSince = active.NormalSince ?? now;
            if (now - normalSince >= options.ResolveAfter)
            {
                _active.Remove(series);
            }
            else
            {
                _active[series] = active with { JudgedAt = now, NormalSince = normalSince };
            }
        }
    }

    /// <summary>
    /// How surprising <paramref name="hits"/> of <paramref name="trials"/> is when the expected share is
    /// <paramref name="expected"/>, as a standard score: the signed root of the binomial likelihood-ratio
    /// statistic. Unlike (hits − np)/√(np(1−p)) it stays honest at small counts, where a normal
    /// approximation calls 4 failures out of 30 (expected 0.3) a 6-sigma event; here it is 3.7.
    /// </summary>
    internal static double BinomialScore(double hits, long trials, double expected)
    {
        // A floor on the expected share: a slice that never failed would otherwise make one failure infinitely surprising.
        var p = Math.Clamp(expected, 0.002, 0.998);
        var mean = trials * p;
        if (trials == 0 || Math.Abs(hits - mean) < 1e-9)
        {
            return 0;
        }

        var rest = trials - hits;
        var deviance = (hits > 0 ? hits * Math.Log(hits / mean) : 0) + (rest > 0 ? rest * Math.Log(rest / (trials - mean)) : 0);
        return Math.Sign(hits - mean) * Math.Sqrt(Math.Max(0, 2 * deviance));
    }

    /// <summary>
    /// How surprising a count of <paramref name="count"/> is when about <paramref name="expected"/> is usual, as a
    /// standard score (signed root of the Poisson deviance): 11 where 2.7 is usual scores 3.8, not the 5.1
    /// of (x − μ)/√μ, which would page someone every few hours for noise.
    /// </summary>
    internal static double PoissonScore(double count, double expected)
    {
        var mean = Math.Max(expected, 0.5);
        if (Math.Abs(count - mean) < 1e-9)
        {
            return 0;
        }

        var deviance = (count > 0 ? count * Math.Log(count / mean) : 0) - (count - mean);
        return Math.Sign(count - mean) * Math.Sqrt(Math.Max(0, 2 * deviance));
    }

    /// <summary>Deliveries slower than <paramref name="thresholdMs"/>, interpolated inside the bucket as the percentiles are.</summary>
    private static double SlowerThan(LatencyHistogram histogram, double thresholdMs)
    {
        var buckets = histogram.Buckets;
        double slower = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            var lower = i == 0 ? 0 : LatencyHistogram.BoundsMs[i - 1];
            var upper = i < LatencyHistogram.BoundsMs.Length ? LatencyHistogram.BoundsMs[i] : LatencyHistogram.BoundsMs[^1] * 2;
            if (thresholdMs <= lower)
            {
                slower += buckets[i];
            }
            else if (thresholdMs < upper)
            {
                slower += buckets[i] * (upper - thresholdMs) / (upper - lower);
            }
        }

        return slower;
    }

    private static DateTimeOffset FloorToMinute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private sealed record ActiveSeries(Anomaly Anomaly, DateTimeOffset JudgedAt, DateTimeOffset? NormalSince);

    private sealed record MinuteOutcomes(long Delivered, long Failed, LatencyHistogram Latency);

    private sealed class SliceState(int halfLifeMinutes)
    {
        public Dictionary<DateTimeOffset, MinuteOutcomes> Minutes { get; } = [];
        public DateTimeOffset? LearnedThrough { get; set; }
        public RateBaseline Failures { get; } = new(halfLifeMinutes);
        public HistogramBaseline Latency { get; } = new(halfLifeMinutes);
        public GaugeBaseline Unknown { get; } = new();
        public GaugeBaseline Stuck { get; } = new();

        public MinuteOutcomes Window(DateTimeOffset from)
        {
            long delivered = 0, failed = 0;
            var latency = new LatencyHistogram();
            foreach (var (minute, outcomes) in Minutes)
            {
                if (minute >= from)
                {
                    delivered += outcomes.Delivered;
                    failed += outcomes.Failed;
                    latency.Merge(outcomes.Latency);
                }
            }

            return new MinuteOutcomes(delivered, failed, latency);
        }
    }

    /// <summary>Exponentially weighted failures and orders; the rate is their ratio, pulled toward a prior while history is thin.</summary>
    private sealed class RateBaseline(int halfLifeMinutes)
    {
        private double _hits;
        private double _trials;

        public void Add(long hits, long trials, double minutes)
        {
            var decay = Math.Pow(0.5, minutes / halfLifeMinutes);
            _hits = _hits * decay + hits;
            _trials = _trials * decay + trials;
        }

        public double Rate(double prior, double priorWeight) => (_hits + prior * priorWeight) / (_trials + priorWeight);
    }

    /// <summary>An exponentially weighted latency histogram: the baseline p95 is its 95th percentile.</summary>
    private sealed class HistogramBaseline(int halfLifeMinutes)
    {
        private readonly double[] _counts = new double[LatencyHistogram.BoundsMs.Length + 1];

        public double Weight { get; private set; }

        public void Add(LatencyHistogram minute, double minutes)
        {
            var decay = Math.Pow(0.5, minutes / halfLifeMinutes);
            var buckets = minute.Buckets;
            Weight = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                _counts[i] = _counts[i] * decay + buckets[i];
                Weight += _counts[i];
            }
        }

        public double Percentile(double percentile)
        {
            var rank = percentile / 100 * Weight;
            double seen = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                if (_counts[i] > 0 && seen + _counts[i] >= rank)
                {
                    var lower = i == 0 ? 0 : LatencyHistogram.BoundsMs[i - 1];
                    var upper = i < LatencyHistogram.BoundsMs.Length ? LatencyHistogram.BoundsMs[i] : LatencyHistogram.BoundsMs[^1] * 2;
                    return lower + (upper - lower) * ((rank - seen) / _counts[i]);
                }

                seen += _counts[i];
            }

            return LatencyHistogram.BoundsMs[^1];
        }
    }

    /// <summary>An exponentially weighted average of a count sampled at each evaluation.</summary>
    private sealed class GaugeBaseline
    {
        private DateTimeOffset? _at;

        public double Mean { get; private set; }

        public void Add(double value, DateTimeOffset at, int halfLifeMinutes)
        {
            if (_at is not { } last)
            {
                Mean = value;
            }
            else
            {
                var decay = Math.Pow(0.5, Math.Max(0, (at - last).TotalMinutes) / halfLifeMinutes);
                Mean = Mean * decay + value * (1 - decay);
            }

            _at = at;
        }
    }
}
