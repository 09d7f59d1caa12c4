using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;

namespace MicoPortal.Client.Services;

/// <summary>The audit ledger: a hash chain of what people and the portal did. Admin only.</summary>
public interface IAuditApi
{
    /// <summary><c>GET /api/v1/audit/verify</c>: walks the whole chain on the server.</summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/audit/entries</c>, newest first, optionally for one order and/or one action.</summary>
    Task<PagedResult<AuditEntryDto>> GetEntriesAsync(long? orderId, string? action, int page, int pageSize, CancellationToken cancellationToken = default);
}
