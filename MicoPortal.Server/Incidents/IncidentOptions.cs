using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Incidents;

/// <summary>
/// Anomaly detection on the live rollups (section <c>Incidents</c>). The defaults suit a shop with tens
/// of orders a minute per SKU and region; see <see cref="AnomalyDetector"/> for what each one does.
/// </summary>
public sealed class IncidentOptions
{
    public const string Section = "Incidents";

    public bool Enabled { get; set; } = true;

    /// <summary>How often the detector looks at the rollups, in seconds (a Hangfire recurring job).</summary>
    [Range(1, 60)]
    public int EvaluateEverySeconds { get; set; } = 10;

    /// <summary>Minutes of outcomes judged together: long enough for evidence, short enough to react within two.</summary>
    [Range(1, 15)]
    public int WindowMinutes { get; set; } = 2;

    /// <summary>Half-life of the learned baseline: how fast it follows slow drift (the day's shape).</summary>
    [Range(5, 24 * 60)]
    public int BaselineHalfLifeMinutes { get; set; } = 60;

    /// <summary>Hours of rollups read at start-up to learn the baselines before judging.</summary>
    [Range(0, 48)]
    public int WarmUpHours { get; set; } = 6;

    /// <summary>Success rate assumed before a slice has history (weighted like <see cref="PriorOrders"/> orders).</summary>
    [Range(0.5, 1.0)]
    public double ExpectedSuccessRate { get; set; } = 0.98;

    /// <summary>Latency p95 assumed before a slice has history.</summary>
    [Range(100, 600_000)]
    public double ExpectedLatencyP95Ms { get; set; } = 5_000;

    /// <summary>How many orders' worth of weight the priors carry against learned history.</summary>
    [Range(1, 100_000)]
    public double PriorOrders { get; set; } = 200;

    /// <summary>Standard scores that open an incident and below which it resolves (hysteresis against flapping).</summary>
    [Range(1, 50)]
    public double OpenScore { get; set; } = 5;

    [Range(0, 50)]
    public double ResolveScore { get; set; } = 2;

    /// <summary>Minutes a series must look normal before its incident resolves.</summary>
    [Range(0, 120)]
    public int ResolveAfterMinutes { get; set; } = 3;

    /// <summary>Fewest finished orders in the window before a rate is judged at all.</summary>
    [Range(1, 100_000)]
    public int MinOrders { get; set; } = 20;

    /// <summary>Smallest drop in success rate (absolute) worth an incident, however significant statistically.</summary>
    [Range(0.001, 1)]
    public double MinSuccessRateDrop { get; set; } = 0.05;

    /// <summary>Smallest rise of latency p95 over the baseline worth an incident (1.5 = 50 % slower).</summary>
    [Range(1.05, 100)]
    public double MinLatencyRatio { get; set; } = 1.5;

    /// <summary>Fewest open orders in Unknown, or flagged stuck, before their count is judged.</summary>
    [Range(1, 1_000_000)]
    public int MinUnknown { get; set; } = 10;

    [Range(1, 1_000_000)]
    public int MinStuck { get; set; } = 5;

    /// <summary>Thresholds for Critical instead of Warning.</summary>
    [Range(0, 1)]
    public double CriticalSuccessRate { get; set; } = 0.8;

    [Range(1, 100)]
    public double CriticalLatencyRatio { get; set; } = 3;

    [Range(1, 1_000_000)]
    public int CriticalStuck { get; set; } = 50;

    public TimeSpan ResolveAfter => TimeSpan.FromMinutes(ResolveAfterMinutes);
}
