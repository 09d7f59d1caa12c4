using System.Net.Http.Headers;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Reconciliation;

namespace MicoPortal.Client.Services;

/// <summary><see cref="IReconciliationApi"/> over the portal's <see cref="HttpClient"/>.</summary>
public sealed class ReconciliationApi(HttpClient http) : IReconciliationApi
{
    public Task<PagedResult<ReconciliationDto>> GetRunsAsync(int page, int pageSize, CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<PagedResult<ReconciliationDto>>($"api/v1/reconciliations?page={page}&pageSize={pageSize}", cancellationToken);

    public Task<ReconciliationDto> GetRunAsync(long id, CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<ReconciliationDto>($"api/v1/reconciliations/{id}", cancellationToken);

    public Task<PagedResult<ReconciliationItemDto>> GetItemsAsync(long id, ReconciliationItemKind? kind, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var kindQuery = kind is { } k ? $"kind={ReconciliationLinks.KindName(k)}&" : "";
        return http.GetRequiredAsync<PagedResult<ReconciliationItemDto>>($"api/v1/reconciliations/{id}/items?{kindQuery}page={page}&pageSize={pageSize}", cancellationToken);
    }

    public Task<PortalActionResult<ReconciliationCreated>> ReconcileSandboxAsync(int minutes = 60, string? provider = null, CancellationToken cancellationToken = default) =>
        http.SendForValueAsync<ReconciliationCreated>(HttpMethod.Post, ReconciliationLinks.SandboxUrl(minutes, provider), (HttpContent?)null,
            provider is null ? $"The sandbox's last {minutes} minutes are being reconciled." : $"The {provider} sandbox's last {minutes} minutes are being reconciled.",
            cancellationToken);
}
