using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using Microsoft.AspNetCore.Components.Forms;

namespace MicoPortal.Client.Services;

/// <summary>
/// The operator API of the portal (docs/api.md section 3). Read calls throw <see cref="PortalApiException"/>
/// on failure; actions answer a <see cref="PortalActionResult"/> carrying a readable message.
/// </summary>
public interface IPortalApi
{
    /// <summary><c>GET /api/v1/metrics/summary?window=</c>.</summary>
    Task<MetricsSummary> GetSummaryAsync(string window = "15m", CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/metrics/timeseries?window=</c>.</summary>
    Task<MetricsTimeseries> GetTimeseriesAsync(string window = "60m", CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/incidents?state=</c>: open and resolved incidents (state <c>null</c>), newest first.</summary>
    Task<IncidentList> GetIncidentsAsync(string? state = null, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/orders?...</c>.</summary>
    Task<PagedResult<OrderSummaryDto>> GetOrdersAsync(OrderListQuery query, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/orders/{id}</c>; <c>null</c> when the order does not exist.</summary>
    Task<OrderDto?> GetOrderAsync(long id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/orders/{id}/reverify</c> (Admin).</summary>
    Task<PortalActionResult> ReverifyAsync(long id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/orders/{id}/retry-delivery</c> (Admin; <c>409 INVALID_STATE</c> unless Failed).</summary>
    Task<PortalActionResult> RetryDeliveryAsync(long id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/orders/reverify {ids}</c> (Admin) answering <c>202 {queued}</c>.</summary>
    Task<BulkReverifyResult> ReverifyManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /api/v1/orders/{id}/resolve</c> (Admin): settles an Unknown, stuck or disputed order by hand. JSON, or a multipart
    /// form when <paramref name="file"/> (at most <see cref="PortalApi.MaxEvidenceFileBytes"/>) goes with it; answers the order as it is now.
    /// </summary>
    Task<PortalActionResult<OrderDto>> ResolveAsync(long id, ResolveOrderRequest request, IBrowserFile? file = null, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/orders/{id}/notes</c> (any operator) answering <c>201</c> with the note.</summary>
    Task<PortalActionResult<OrderNoteDto>> AddNoteAsync(long id, string text, CancellationToken cancellationToken = default);

    /// <summary>Link to <c>GET /api/v1/orders/{id}/resolutions/{resolutionId}/file</c> (Admin): a resolution's evidence file.</summary>
    string GetEvidenceFileUrl(long orderId, long resolutionId);

    /// <summary><c>GET /api/v1/auth/me</c>; <c>null</c> when nobody is signed in.</summary>
    Task<CurrentUserDto?> GetCurrentUserAsync(CancellationToken cancellationToken = default);

    /// <summary>Ends the session (POST api/v1/auth/logout).</summary>
    Task SignOutAsync(CancellationToken cancellationToken = default);

    /// <summary>Link to <c>GET /api/v1/orders/export?...</c> (text/csv) for the same filters.</summary>
    string GetExportUrl(OrderListQuery query);
}
