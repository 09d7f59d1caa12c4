using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Reconciliation;

/// <summary>Configuration section <c>Reconciliation</c>.</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Reconciliation";

    /// <summary>
    /// Where uploaded logs wait for their job (default: <c>reconciliations</c> under <c>DataDirectory</c>).
    /// With several portal instances, a folder they all share, since any instance may run the job.
    /// </summary>
    public string? FileDirectory { get; set; }

    /// <summary>Largest upload accepted; a million-row log is about 100 MB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Rows compared per database round trip.</summary>
    [Range(1, 50_000)]
    public int Batch { get; set; } = 2_000;

    /// <summary>A Running run whose heartbeat is older than this was cut short (crash, restart) and is started again.</summary>
    public TimeSpan AbandonedAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often a run cut short (a crash, a restart, an instance that died) is started again; the next time it
    /// is found abandoned it is marked Failed, so a file that brings the portal down cannot do it forever.
    /// </summary>
    [Range(0, 100)]
    public int MaxRestarts { get; set; } = 3;
}
