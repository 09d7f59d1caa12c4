using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using Microsoft.AspNetCore.Components.Forms;

namespace MicoPortal.Client.Services;

/// <summary><see cref="IPortalApi"/> over an <see cref="HttpClient"/> whose base address is the portal's host.</summary>
public sealed class PortalApi(HttpClient http) : IPortalApi
{
    public Task<MetricsSummary> GetSummaryAsync(string window = "15m", CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<MetricsSummary>($"api/v1/metrics/summary?window={Uri.EscapeDataString(window)}", cancellationToken);

    public Task<MetricsTimeseries> GetTimeseriesAsync(string window = "60m", CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<MetricsTimeseries>($"api/v1/metrics/timeseries?window={Uri.EscapeDataString(window)}", cancellationToken);

    public Task<IncidentList> GetIncidentsAsync(string? state = null, CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<IncidentList>(state is null ? "api/v1/incidents" : $"api/v1/incidents?state={Uri.EscapeDataString(state)}", cancellationToken);

    public Task<PagedResult<OrderSummaryDto>> GetOrdersAsync(OrderListQuery query, CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<PagedResult<OrderSummaryDto>>($"api/v1/orders?{OrderQueryString.Build(query)}", cancellationToken);

    public async Task<OrderDto?> GetOrderAsync(long id, CancellationToken cancellationToken = default)
    {
        using var response = await http.SendPortalAsync(HttpMethod.Get, $"api/v1/orders/{id}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        return await PortalHttp.ReadRequiredAsync<OrderDto>(response, cancellationToken);
    }

    public Task<PortalActionResult> ReverifyAsync(long id, CancellationToken cancellationToken = default) =>
        http.SendActionAsync($"api/v1/orders/{id}/reverify", $"Order {id} queued for re-verification.", cancellationToken);

    public Task<PortalActionResult> RetryDeliveryAsync(long id, CancellationToken cancellationToken = default) =>
        http.SendActionAsync($"api/v1/orders/{id}/retry-delivery", $"Order {id}: a new delivery attempt was queued.", cancellationToken);

    public async Task<BulkReverifyResult> ReverifyManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.SendPortalAsync(HttpMethod.Post, "api/v1/orders/reverify",
                JsonContent.Create(new ReverifyOrdersRequest(ids.ToArray()), options: PortalJson.Options), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var problem = await PortalHttp.ReadProblemAsync(response, cancellationToken);
                return new BulkReverifyResult(false, problem.Message, 0, (int)response.StatusCode, problem.Code);
            }
            var body = await response.Content.ReadFromJsonAsync<ReverifyOrdersResponse>(PortalJson.Options, cancellationToken);
            var queued = body?.Queued ?? 0;
            return new BulkReverifyResult(true, $"{queued} order(s) queued for re-verification.", queued, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return new BulkReverifyResult(false, $"Re-verify failed: {ex.Message}", 0);
        }
    }

    /// <summary>The largest evidence file the server takes with a resolution (docs/api.md section 10).</summary>
    public const long MaxEvidenceFileBytes = 5 * 1024 * 1024;

    public async Task<PortalActionResult<OrderDto>> ResolveAsync(long id, ResolveOrderRequest request, IBrowserFile? file = null, CancellationToken cancellationToken = default)
    {
        var message = $"Order {id} resolved as {request.Outcome}.";
        if (file is null)
        {
            return await http.SendForValueAsync<OrderDto>(HttpMethod.Post, $"api/v1/orders/{id}/resolve", request, message, cancellationToken);
        }

        if (file.Size > MaxEvidenceFileBytes)
        {
            return new PortalActionResult<OrderDto>(false, $"The evidence file is larger than {MaxEvidenceFileBytes / (1024 * 1024)} MB.", default, 400, "VALIDATION");
        }

        // The same fields as the JSON body, plus the file: the server keeps it with the resolution.
        using var form = new MultipartFormDataContent
        {
            { new StringContent(request.Outcome ?? ""), "outcome" },
            { new StringContent(request.Reason ?? ""), "reason" },
        };
        if (!string.IsNullOrWhiteSpace(request.Evidence))
        {
            form.Add(new StringContent(request.Evidence), "evidence");
        }

        var content = new StreamContent(file.OpenReadStream(MaxEvidenceFileBytes, cancellationToken));
        content.Headers.ContentType = new MediaTypeHeaderValue(string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType);
        form.Add(content, "file", file.Name);
        return await http.SendForValueAsync<OrderDto>(HttpMethod.Post, $"api/v1/orders/{id}/resolve", form, message, cancellationToken);
    }

    public Task<PortalActionResult<OrderNoteDto>> AddNoteAsync(long id, string text, CancellationToken cancellationToken = default) =>
        http.SendForValueAsync<OrderNoteDto>(HttpMethod.Post, $"api/v1/orders/{id}/notes", new AddOrderNoteRequest(text), "Note added.", cancellationToken);

    public string GetEvidenceFileUrl(long orderId, long resolutionId) => $"api/v1/orders/{orderId}/resolutions/{resolutionId}/file";

    public async Task<CurrentUserDto?> GetCurrentUserAsync(CancellationToken cancellationToken = default)
    {
        using var response = await http.SendPortalAsync(HttpMethod.Get, "api/v1/auth/me", null, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }
        return await PortalHttp.ReadRequiredAsync<CurrentUserDto>(response, cancellationToken);
    }

    public async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        using var response = await http.SendPortalAsync(HttpMethod.Post, "api/v1/auth/logout", null, cancellationToken);
    }

    public string GetExportUrl(OrderListQuery query)
    {
        var queryString = OrderQueryString.Build(query, includePaging: false);
        return queryString.Length == 0 ? "api/v1/orders/export" : $"api/v1/orders/export?{queryString}";
    }
}
