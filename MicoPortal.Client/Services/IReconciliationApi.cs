using MicoPortal.Shared.Common;
using MicoPortal.Shared.Reconciliation;

namespace MicoPortal.Client.Services;

/// <summary>Reconciliation of the provider's transaction log against the portal's orders (docs/api.md section 7). Admin only.</summary>
public interface IReconciliationApi
{
    /// <summary><c>GET /api/v1/reconciliations</c>: past runs, newest first.</summary>
    Task<PagedResult<ReconciliationDto>> GetRunsAsync(int page, int pageSize, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/reconciliations/{id}</c>.</summary>
    Task<ReconciliationDto> GetRunAsync(long id, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/reconciliations/{id}/items</c>: what the run found, of one kind or all.</summary>
    Task<PagedResult<ReconciliationItemDto>> GetItemsAsync(long id, ReconciliationItemKind? kind, int page, int pageSize, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/reconciliations/sandbox</c>: the built-in sandbox's own log; 404 when the sandbox is off.</summary>
    Task<PortalActionResult<ReconciliationCreated>> ReconcileSandboxAsync(int minutes = 60, CancellationToken cancellationToken = default);
}

/// <summary>Links and names of the reconciliation report that pages share.</summary>
public static class ReconciliationLinks
{
    /// <summary>The contract's name of a kind (<c>missingInPortal</c>...), as the API takes it in <c>?kind=</c>.</summary>
    public static string KindName(ReconciliationItemKind kind) => ReconciliationItemKinds.NameOf(kind);

    /// <summary>The CSV export; a plain link, since the browser sends the session cookie and saves the file itself.</summary>
    public static string ExportUrl(long id, ReconciliationItemKind? kind = null) =>
        kind is { } k ? $"api/v1/reconciliations/{id}/items.csv?kind={KindName(k)}" : $"api/v1/reconciliations/{id}/items.csv";

    public static string RunUrl(long id) => $"admin/reconciliations/{id}";
}
