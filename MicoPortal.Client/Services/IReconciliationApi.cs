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

    /// <summary>
    /// <c>POST /api/v1/reconciliations/sandbox</c>: the built-in sandbox's own log of <paramref name="provider"/>
    /// (the server's <c>default</c> when null); 404 when the sandbox is off or does not serve that provider.
    /// </summary>
    Task<PortalActionResult<ReconciliationCreated>> ReconcileSandboxAsync(int minutes = 60, string? provider = null, CancellationToken cancellationToken = default);
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

    /// <summary>
    /// Where a log is posted (<c>POST /api/v1/reconciliations</c>), naming whose log it is in <c>?provider=</c>;
    /// with no provider the server takes <c>default</c>.
    /// </summary>
    public static string UploadUrl(string? provider = null) => "api/v1/reconciliations" + ProviderQuery('?', provider);

    /// <summary><c>POST /api/v1/reconciliations/sandbox</c> for the last <paramref name="minutes"/> of <paramref name="provider"/>'s sandbox log.</summary>
    public static string SandboxUrl(int minutes, string? provider = null) => $"api/v1/reconciliations/sandbox?minutes={minutes}" + ProviderQuery('&', provider);

    // Provider names come from configuration; escaped, so a name with '&' or spaces stays one value.
    private static string ProviderQuery(char separator, string? provider) =>
        provider is null ? "" : $"{separator}provider={Uri.EscapeDataString(provider)}";
}
