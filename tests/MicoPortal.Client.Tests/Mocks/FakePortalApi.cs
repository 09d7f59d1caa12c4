using MicoPortal.Client.Services;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="IPortalApi"/> answering canned data and recording every call.</summary>
public sealed class FakePortalApi : IPortalApi
{
    public MetricsSummary Summary { get; set; } = TestData.Summary();
    public Exception? SummaryError { get; set; }
    public MetricsTimeseries Timeseries { get; set; } = new([]);
    public Exception? TimeseriesError { get; set; }
    public List<IncidentDto> Incidents { get; } = [];
    public Exception? IncidentsError { get; set; }
    public List<OrderSummaryDto> Orders { get; } = [];
    public Exception? OrdersError { get; set; }
    public Dictionary<long, OrderDto> OrderDetails { get; } = [];
    public Exception? OrderError { get; set; }
    public CurrentUserDto? CurrentUser { get; set; } = TestData.Admin;
    public Func<long, PortalActionResult> RetryResult { get; set; } = id => new PortalActionResult(true, $"Order {id} retried.", 202);

    public List<OrderListQuery> OrderQueries { get; } = [];
    public List<long> OrderRequests { get; } = [];
    public List<long> ReverifyCalls { get; } = [];
    public List<long> RetryCalls { get; } = [];
    public List<IReadOnlyCollection<long>> ReverifyManyCalls { get; } = [];
    public int SummaryCalls { get; private set; }

    public Task<MetricsSummary> GetSummaryAsync(string window = "15m", CancellationToken cancellationToken = default)
    {
        SummaryCalls++;
        return SummaryError is null ? Task.FromResult(Summary) : Task.FromException<MetricsSummary>(SummaryError);
    }

    public Task<MetricsTimeseries> GetTimeseriesAsync(string window = "60m", CancellationToken cancellationToken = default) =>
        TimeseriesError is null ? Task.FromResult(Timeseries) : Task.FromException<MetricsTimeseries>(TimeseriesError);

    public Task<IncidentList> GetIncidentsAsync(string? state = null, CancellationToken cancellationToken = default) =>
        IncidentsError is null
            ? Task.FromResult(new IncidentList(Incidents.Where(i => state is null || (state == "open") == (i.ResolvedAt is null)).ToList()))
            : Task.FromException<IncidentList>(IncidentsError);

    public Task<PagedResult<OrderSummaryDto>> GetOrdersAsync(OrderListQuery query, CancellationToken cancellationToken = default)
    {
        OrderQueries.Add(query);
        if (OrdersError is not null)
        {
            return Task.FromException<PagedResult<OrderSummaryDto>>(OrdersError);
        }
        var page = Orders.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToList();
        return Task.FromResult(new PagedResult<OrderSummaryDto>(page, Orders.Count, query.Page, query.PageSize));
    }

    public Task<OrderDto?> GetOrderAsync(long id, CancellationToken cancellationToken = default)
    {
        OrderRequests.Add(id);
        if (OrderError is not null)
        {
            return Task.FromException<OrderDto?>(OrderError);
        }
        return Task.FromResult(OrderDetails.TryGetValue(id, out var order) ? order : null);
    }

    public Task<PortalActionResult> ReverifyAsync(long id, CancellationToken cancellationToken = default)
    {
        ReverifyCalls.Add(id);
        return Task.FromResult(new PortalActionResult(true, $"Order {id} queued for re-verification.", 202));
    }

    public Task<PortalActionResult> RetryDeliveryAsync(long id, CancellationToken cancellationToken = default)
    {
        RetryCalls.Add(id);
        return Task.FromResult(RetryResult(id));
    }

    public Task<BulkReverifyResult> ReverifyManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ReverifyManyCalls.Add(ids.ToArray());
        return Task.FromResult(new BulkReverifyResult(true, $"{ids.Count} order(s) queued for re-verification.", ids.Count, 202));
    }

    public Task<CurrentUserDto?> GetCurrentUserAsync(CancellationToken cancellationToken = default) => Task.FromResult(CurrentUser);

    public int SignOuts { get; private set; }

    public Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        SignOuts++;
        return Task.CompletedTask;
    }

    public string GetExportUrl(OrderListQuery query) => new PortalApi(new HttpClient()).GetExportUrl(query);
}
