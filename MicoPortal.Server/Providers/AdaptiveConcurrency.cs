namespace MicoPortal.Server.Providers;

/// <summary>How one provider call ended, as far as the concurrency limit cares.</summary>
public enum CallOutcome
{
    /// <summary>The provider answered (any 2xx or 4xx other than 429: it was able to judge the request).</summary>
    Answered,

    /// <summary>The provider said it is overloaded: <c>429</c> or <c>503</c>. Always a reason to slow down.</summary>
    Refused,

    /// <summary>Timeout, another 5xx, a dropped connection: a reason to slow down when many calls end this way.</summary>
    Failed,
}

/// <summary>
/// The adaptive concurrency limit of one provider: additive increase, multiplicative decrease (AIMD)
/// with a slow start, as TCP paces a connection. Pure arithmetic on the samples it is given, so it is
/// unit-tested without a clock.
/// <list type="bullet">
/// <item>Slow start: every answered call adds one (the limit doubles per round trip) until the first
/// decrease, so a provider at 1,000 ms reaches thousands of calls in flight in seconds, not minutes.
/// After it, the limit grows by <see cref="GrowthPerSecond"/> of itself per second, so it probes a
/// provider's limit gently at any latency.</item>
/// <item>The limit grows only while it is used (at least half of it in flight) and while latency holds:
/// a short-term average (per call) more than <see cref="LatencyTolerance"/> times the long-term one (per
/// round trip, following over tens of round trips) means the provider is queueing our calls, and more
/// of them would only wait longer. A latency that stays high becomes the new baseline.</item>
/// <item>It shrinks by <see cref="Backoff"/> on the first <c>429</c> or <c>503</c> of slow start, and
/// after it when more than <see cref="RefusalShare"/> of the calls of a second (at least 50 calls) were
/// refused or more than <see cref="FailureShare"/> timed out or failed. Refusals count as a share because
/// a provider may refuse one order (its own maintenance of one account, a per-reference rate limit): seen
/// on the demo traffic, where the sandbox's per-order 429 and 503 scenarios held the limit at its floor of 4. One
/// hanging call is not congestion: a steady share of calls that hang until their timeout (a provider's
/// own fault; measured: 5% of creates hanging cut a 0.1-per-round-trip rule's limit to 41 and throughput
/// to an eighth) must not drag the limit to its floor, since those calls need more slots, not fewer. At
/// most one decrease per window (about one round trip), so a burst of refusals from one overload counts once.</item>
/// <item>Shares are judged above the provider's background: the share it refuses or fails at any load.
/// A cut made on a share that did not lower it is undone and teaches that background (see
/// <see cref="ObserveTrial"/>); a provider refusing above its background again is cut as before.</item>
/// </list>
/// Why AIMD and not a gradient limiter: the provider's latency is mostly its own (150 ms to 2 s of
/// work, not queueing), so a gradient on latency alone would keep a slow but healthy provider at a
/// low limit; the provider's own refusals are the honest signal, and latency only stops growth.
/// </summary>
public sealed class AdaptiveConcurrency(int initial, int min, int max)
{
    public const double Backoff = 0.7;
    public const double LatencyTolerance = 2.0;
    public const double FailureShare = 0.2;

    /// <summary>After slow start, a cut when more than this share of a second's calls were refused (429/503).</summary>
    public const double RefusalShare = 0.02;

    /// <summary>How fast the limit grows after its first cut: this share of itself per second.</summary>
    public const double GrowthPerSecond = 0.05;

    /// <summary>Failures are judged over at least this long and this many calls, so chance does not look like a wave.</summary>
    public const int FailureWindowMs = 1_000;
    public const int FailureWindowCalls = 50;

    /// <summary>A share above this is never taken for background: a provider refusing most calls is overloaded or down.</summary>
    public const double MaxBackgroundShare = 0.5;

    /// <summary>A trial that has not seen enough calls sent after its cut by then ends, and the cut stands.</summary>
    public const int TrialExpiryMs = 10_000;

    /// <summary>How fast a learned background fades, per judged window, while the provider shows less.</summary>
    private const double BackgroundFade = 0.05;
    private const double ShortAlpha = 0.1;

    /// <summary>Per window (about a round trip), not per call: the baseline follows in tens of round trips however many calls are in flight.</summary>
    private const double LongAlpha = 0.05;

    private double _limit = Math.Clamp(initial, min, max);
    private double _slowStartThreshold = max;
    private double _shortLatencyMs;
    private double _longLatencyMs;
    private long _windowStartMs;
    private long _failureWindowStartMs;
    private int _windowCalls;
    private int _windowFailures;
    private int _windowRefusals;
    private long? _lastDecreaseMs;
    private long? _lastGrowthMs;
    private Trial? _trial;

    public int Limit => (int)_limit;

    public int Min { get; } = min;

    public int Max { get; } = max;

    /// <summary>Short-term average latency of answered calls, in milliseconds (0 before the first).</summary>
    public double LatencyMs => _shortLatencyMs;

    /// <summary>Decreases so far (for the dashboard and tests).</summary>
    public long Decreases { get; private set; }

    /// <summary>Decreases undone because the share that caused them stayed: it was the provider's background.</summary>
    public long Undone { get; private set; }

    /// <summary>The share of calls the provider refuses whatever the load, as learned from cuts that did not help.</summary>
    public double RefusalBackground { get; private set; }

    /// <summary>The same for calls that time out or fail.</summary>
    public double FailureBackground { get; private set; }

    /// <summary>Records one finished call. <paramref name="nowMs"/> is any monotonic millisecond clock.</summary>
    public void Record(CallOutcome outcome, double latencyMs, int inFlight, long nowMs)
    {
        var window = Math.Max(100, _shortLatencyMs);
        if (nowMs - _windowStartMs >= window)
        {
            if (_shortLatencyMs > 0)
            {
                _longLatencyMs = _longLatencyMs == 0 ? _shortLatencyMs : _longLatencyMs + LongAlpha * (_shortLatencyMs - _longLatencyMs);
            }

            _windowStartMs = nowMs;
        }

        if (_trial is { } trial)
        {
            ObserveTrial(trial, outcome, latencyMs, nowMs);
        }

        if (nowMs - _failureWindowStartMs >= Math.Max(FailureWindowMs, window) && _windowCalls >= FailureWindowCalls)
        {
            JudgeWindow(nowMs, window);
            _failureWindowStartMs = nowMs;
            _windowCalls = 0;
            _windowFailures = 0;
            _windowRefusals = 0;
        }

        _windowCalls++;
        switch (outcome)
        {
            case CallOutcome.Refused:
                _windowRefusals++;
                if (_limit < _slowStartThreshold && RefusalBackground == 0 && _trial is null)
                {
                    // Still in slow start: the first refusal ends it at once (the limit doubles per round trip).
                    // Slow start does not resume when that refusal later proves background: doubling per round
                    // trip overshoots a rate cap many times over within the second a share is judged on.
                    Decrease(nowMs, window);
                }

                return;
            case CallOutcome.Failed:
                _windowFailures++;
                return;
        }

        _shortLatencyMs = _shortLatencyMs == 0 ? latencyMs : _shortLatencyMs + ShortAlpha * (latencyMs - _shortLatencyMs);
        if (_longLatencyMs == 0)
        {
            _longLatencyMs = latencyMs;
        }

        var used = inFlight >= _limit / 2;
        var latencyHolds = _shortLatencyMs <= _longLatencyMs * LatencyTolerance;
        var sinceGrowthMs = Math.Clamp(nowMs - (_lastGrowthMs ?? nowMs), 0, 1_000);
        _lastGrowthMs = nowMs;
        if (!used || !latencyHolds || _trial is not null)
        {
            // A trial holds the limit where the cut put it, so its verdict is about the cut alone.
            return;
        }

        // Slow start: +1 per answer. After a cut: +GrowthPerSecond of the limit each second of use, whatever
        // the latency and however many calls hang (time-based: counting per answer let calls hanging until
        // their timeout, which answer nothing, stall growth; seen in the chaos test at a limit of 11). One
        // call per round trip, TCP's rule, would at 20 ms add 50 calls a second and overshoot a provider's
        // rate limit within a second of every cut.
        _limit = Math.Min(Max, _limit < _slowStartThreshold ? _limit + 1 : _limit * (1 + GrowthPerSecond * sinceGrowthMs / 1000.0));
    }

    /// <summary>
    /// Judges a finished window (at least a second and 50 calls): a cut when the share refused or failed is
    /// above the provider's background by more than <see cref="RefusalShare"/> or <see cref="FailureShare"/>.
    /// A cut made on a share is a trial (see <see cref="ObserveTrial"/>); no other is made while it lasts.
    /// </summary>
    private void JudgeWindow(long nowMs, double window)
    {
        if (_trial is not null)
        {
            return;
        }

        var refused = (double)_windowRefusals / _windowCalls;
        var failed = (double)_windowFailures / _windowCalls;
        // A background the provider no longer shows fades; a higher one is learned only by a trial.
        RefusalBackground -= BackgroundFade * Math.Max(0, RefusalBackground - refused);
        FailureBackground -= BackgroundFade * Math.Max(0, FailureBackground - failed);

        var byRefusals = refused > RefusalBackground + RefusalShare;
        if (byRefusals || failed > FailureBackground + FailureShare)
        {
            var limitBefore = _limit;
            var thresholdBefore = _slowStartThreshold;
            if (Decrease(nowMs, window))
            {
                _trial = byRefusals
                    ? new Trial(limitBefore, thresholdBefore, forRefusals: true, refused, RefusalBackground, nowMs)
                    : new Trial(limitBefore, thresholdBefore, forRefusals: false, failed, FailureBackground, nowMs);
            }
        }
    }

    /// <summary>
    /// Whether a cut made on a share helped, judged on the calls sent after it (a call's send time is its
    /// end less its latency: a timeout answered now was sent a timeout ago, under the old limit). Had the
    /// provider refused for our load, a cut to <see cref="Backoff"/> of it leaves an excess share near
    /// <c>1 - (1 - before) / Backoff</c>; had it refused a share of every load, the share stays. If it stayed
    /// (and is at most <see cref="MaxBackgroundShare"/>), the cut is undone and the share becomes the
    /// provider's background, which later judgements allow for. A trial that sees too few calls in
    /// <see cref="TrialExpiryMs"/> ends and the cut stands. Measured: the chaos test's provider refuses 10%
    /// and fails about 20% of calls at any load; judged on absolute shares the limit sat at its floor of 4
    /// and the 10,000 orders took 6.5 minutes instead of under 3.
    /// </summary>
    private void ObserveTrial(Trial trial, CallOutcome outcome, double latencyMs, long nowMs)
    {
        if (nowMs - latencyMs >= trial.CutAtMs)
        {
            trial.Calls++;
            trial.Refusals += outcome == CallOutcome.Refused ? 1 : 0;
            trial.Failures += outcome == CallOutcome.Failed ? 1 : 0;
        }

        if (trial.Calls < FailureWindowCalls || nowMs - trial.CutAtMs < FailureWindowMs)
        {
            if (nowMs - trial.CutAtMs > TrialExpiryMs)
            {
                _trial = null;
            }

            return;
        }

        _trial = null;
        var after = (double)(trial.ForRefusals ? trial.Refusals : trial.Failures) / trial.Calls;
        var excessBefore = trial.ShareBefore - trial.Background;
        var excessIfLoad = Math.Max(0, 1 - (1 - excessBefore) / Backoff);
        if (after - trial.Background >= (excessBefore + excessIfLoad) / 2 && after <= MaxBackgroundShare)
        {
            SetBackground(trial.ForRefusals, after);
            _limit = Math.Max(_limit, trial.LimitBefore);
            _slowStartThreshold = trial.ThresholdBefore;
            Undone++;
        }
        else
        {
            // The cut helped: what is left after it is at most the background.
            SetBackground(trial.ForRefusals, Math.Min(trial.ForRefusals ? RefusalBackground : FailureBackground, after));
        }
    }

    private void SetBackground(bool refusals, double share)
    {
        if (refusals)
        {
            RefusalBackground = share;
        }
        else
        {
            FailureBackground = share;
        }
    }

    private bool Decrease(long nowMs, double window)
    {
        if (nowMs - _lastDecreaseMs < window)
        {
            return false;
        }

        _lastDecreaseMs = nowMs;
        _lastGrowthMs = nowMs; // growth after a cut counts from the cut
        _limit = Math.Max(Min, _limit * Backoff);
        _slowStartThreshold = _limit;
        Decreases++;
        return true;
    }

    /// <summary>A cut made on a share, and the calls sent since, until they show whether it helped.</summary>
    private sealed class Trial(double limitBefore, double thresholdBefore, bool forRefusals, double shareBefore, double background, long cutAtMs)
    {
        public double LimitBefore { get; } = limitBefore;

        public double ThresholdBefore { get; } = thresholdBefore;

        public bool ForRefusals { get; } = forRefusals;

        public double ShareBefore { get; } = shareBefore;

        public double Background { get; } = background;

        public long CutAtMs { get; } = cutAtMs;

        public int Calls { get; set; }

        public int Refusals { get; set; }

        public int Failures { get; set; }
    }
}
