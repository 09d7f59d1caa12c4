using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Services;

/// <summary><see cref="IPortalApi"/> over an <see cref="HttpClient"/> whose base address is the portal's host.</summary>
public sealed class PortalApi(HttpClient http) : IPortalApi
{
    public Task<MetricsSummary> GetSummaryAsync(string window = "15m", CancellationToken cancellationToken = default) =>
        GetRequiredAsync<MetricsSummary>($"api/v1/metrics/summary?window={Uri.EscapeDataString(window)}", cancellationToken);

    public Task<MetricsTimeseries> GetTimeseriesAsync(string window = "60m", CancellationToken cancellationToken = default) =>
        GetRequiredAsync<MetricsTimeseries>($"api/v1/metrics/timeseries?window={Uri.EscapeDataString(window)}", cancellationToken);

    public Task<PagedResult<OrderSummaryDto>> GetOrdersAsync(OrderListQuery query, CancellationToken cancellationToken = default) =>
        GetRequiredAsync<PagedResult<OrderSummaryDto>>($"api/v1/orders?{OrderQueryString.Build(query)}", cancellationToken);

    public async Task<OrderDto?> GetOrderAsync(long id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"api/v1/orders/{id}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        return await ReadRequiredAsync<OrderDto>(response, cancellationToken);
    }

    public Task<PortalActionResult> ReverifyAsync(long id, CancellationToken cancellationToken = default) =>
        PostActionAsync($"api/v1/orders/{id}/reverify", $"Order {id} queued for re-verification.", cancellationToken);

    public Task<PortalActionResult> RetryDeliveryAsync(long id, CancellationToken cancellationToken = default) =>
        PostActionAsync($"api/v1/orders/{id}/retry-delivery", $"Order {id}: a new delivery attempt was queued.", cancellationToken);

    public async Task<BulkReverifyResult> ReverifyManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Post, "api/v1/orders/reverify",
                JsonContent.Create(new ReverifyOrdersRequest(ids.ToArray()), options: PortalJson.Options), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var problem = await ReadProblemAsync(response, cancellationToken);
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

    public async Task<CurrentUserDto?> GetCurrentUserAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/v1/auth/me", null, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }
        return await ReadRequiredAsync<CurrentUserDto>(response, cancellationToken);
    }

    public async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/v1/auth/logout", null, cancellationToken);
    }

    public string GetExportUrl(OrderListQuery query)
    {
        var queryString = OrderQueryString.Build(query, includePaging: false);
        return queryString.Length == 0 ? "api/v1/orders/export" : $"api/v1/orders/export?{queryString}";
    }

    private async Task<T> GetRequiredAsync<T>(string uri, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, uri, null, cancellationToken);
        return await ReadRequiredAsync<T>(response, cancellationToken);
    }

    private async Task<PortalActionResult> PostActionAsync(string uri, string successMessage, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Post, uri, null, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new PortalActionResult(true, successMessage, (int)response.StatusCode);
            }
            var problem = await ReadProblemAsync(response, cancellationToken);
            return new PortalActionResult(false, problem.Message, (int)response.StatusCode, problem.Code);
        }
        catch (HttpRequestException ex)
        {
            return new PortalActionResult(false, $"The portal could not be reached: {ex.Message}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string uri, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex) when (method == HttpMethod.Get)
        {
            throw new PortalApiException($"The portal could not be reached: {ex.Message}", inner: ex);
        }
    }

    private static async Task<T> ReadRequiredAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var problem = await ReadProblemAsync(response, cancellationToken);
            throw new PortalApiException(problem.Message, (int)response.StatusCode, problem.Code);
        }
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(PortalJson.Options, cancellationToken)
                ?? throw new PortalApiException("The portal answered an empty body.", (int)response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new PortalApiException($"The portal answered something unreadable: {ex.Message}", (int)response.StatusCode, inner: ex);
        }
    }

    /// <summary>Reads RFC 9457 problem details (<c>title</c>, <c>detail</c>, <c>code</c>) into a readable message.</summary>
    internal static async Task<(string Message, string? Code)> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fallback = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "You are not signed in.",
            HttpStatusCode.Forbidden => "Only an Admin may do this.",
            HttpStatusCode.NotFound => "Not found.",
            HttpStatusCode.Conflict => "The order is not in a state that allows this.",
            _ => $"The portal answered {(int)response.StatusCode} {response.ReasonPhrase}.",
        };
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text))
            {
                return (fallback, null);
            }
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (fallback, null);
            }
            var title = ReadString(root, "title");
            var detail = ReadString(root, "detail");
            var code = ReadString(root, "code");
            var message = (title, detail) switch
            {
                ({ Length: > 0 }, { Length: > 0 }) when !detail.Contains(title, StringComparison.OrdinalIgnoreCase) => $"{title}: {detail}",
                (_, { Length: > 0 }) => detail,
                ({ Length: > 0 }, _) => title,
                _ => fallback,
            };
            return (message, code);
        }
        catch (JsonException)
        {
            return (fallback, null);
        }
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
