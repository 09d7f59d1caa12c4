using MicoPortal.Shared.Reconciliation;

namespace MicoPortal.Server.Reconciliation;

/// <summary>
/// One comparison of the provider's transaction log with the portal's orders: the uploaded file,
/// its progress and the counts of the report. The rows behind the counts are <see cref="ReconciliationItem"/>s.
/// </summary>
public sealed class ReconciliationRun
{
    public long Id { get; set; }

    public ReconciliationState State { get; set; } = ReconciliationState.Queued;

    /// <summary>The name the admin's file had (shown only; the stored copy is <see cref="StoredFile"/>).</summary>
    public required string FileName { get; set; }

    /// <summary>Where the upload is kept while it is processed, relative to the reconciliation folder.</summary>
    public required string StoredFile { get; set; }

    public long FileBytes { get; set; }

    /// <summary>Progress: bytes of the file read so far.</summary>
    public long BytesRead { get; set; }

    /// <summary>The report's counts so far (<see cref="ReconciliationCounts.Confirmed"/>: delivered orders that got their <c>ledger</c> confirmation from this log).</summary>
    public ReconciliationCounts Counts { get; set; } = ReconciliationCounts.None;

    /// <summary>The log's time range: its first and last <c>updatedAt</c>.</summary>
    public DateTimeOffset? RangeFrom { get; set; }
    public DateTimeOffset? RangeTo { get; set; }

    public DateTimeOffset UploadedAt { get; set; }
    public string? UploadedBy { get; set; }

    /// <summary>The provider whose transaction log this is: only orders sent to it can be missing from it.</summary>
    public string Provider { get; set; } = Providers.ProviderCatalog.DefaultProvider;
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Renewed while the job works; a Running run with an old heartbeat was cut short and is started again.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }

    public string? Error { get; set; }
}

/// <summary>One finding of a reconciliation: a log row or an order that did not match.</summary>
public sealed class ReconciliationItem
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public ReconciliationItemKind Kind { get; set; }
    public required string ClientRef { get; set; }
    public long? OrderId { get; set; }

    // The portal's side, when it has the order.
    public string? PortalStatus { get; set; }
    public int? PortalCoins { get; set; }
    public decimal? PortalAmount { get; set; }
    public string? PortalCurrency { get; set; }
    public int? PortalAttemptNo { get; set; }

    // The provider's side, when the log has a row.
    public string? ProviderRef { get; set; }
    public string? ProviderStatus { get; set; }
    public string? Serial { get; set; }
    public int? Quantity { get; set; }
    public decimal? Amount { get; set; }
    public string? Currency { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>Why it did not match, in words.</summary>
    public string? Note { get; set; }
}
