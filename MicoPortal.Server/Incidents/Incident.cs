using MicoPortal.Shared.Incidents;

namespace MicoPortal.Server.Incidents;

/// <summary>
/// A stretch of time in which one metric of one slice was abnormal, from the detector's first alarm to
/// its recovery. The evidence is the latest the detector saw while it was open (the worst is kept in
/// <see cref="PeakScore"/>).
/// </summary>
public sealed class Incident
{
    public long Id { get; set; }
    public required string Metric { get; set; }
    public required string Sku { get; set; }
    public required string Region { get; set; }
    /// <summary>The provider the incident is about (a low float); null for the traffic as a whole.</summary>
    public string? Provider { get; set; }
    /// <summary>The order the incident is about (a late delivery); null for traffic incidents.</summary>
    public long? OrderId { get; set; }
    public IncidentSeverity Severity { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// The series key while open, null once resolved. Unique, so two instances evaluating at once cannot
    /// open the same incident twice (SQL Server's unique index leaves NULLs out on its own).
    /// </summary>
    public string? OpenSeries { get; set; }

    public double Observed { get; set; }
    public double Baseline { get; set; }
    public double Score { get; set; }
    public double PeakScore { get; set; }
    public long Samples { get; set; }
    public required string Summary { get; set; }

    public IncidentDto ToDto() => new(Id, Severity, Metric, new IncidentSlice(Sku, Region, Provider), StartedAt, ResolvedAt,
        new IncidentEvidence(Observed, Baseline, Score, Samples, Summary), OrderId);

    public void Show(Anomaly anomaly, DateTimeOffset now)
    {
        Severity = anomaly.Severity;
        Observed = anomaly.Evidence.Observed;
        Baseline = anomaly.Evidence.Baseline;
        Score = anomaly.Evidence.Score;
        PeakScore = Math.Max(PeakScore, Math.Abs(anomaly.Evidence.Score));
        Samples = anomaly.Evidence.Samples;
        Summary = anomaly.Evidence.Summary;
        UpdatedAt = now;
    }
}
