using MicoPortal.Client.Services;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using Microsoft.AspNetCore.Components.Forms;

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

    /// <summary>When set, answers resolves instead of settling the order in memory (e.g. a 409 problem).</summary>
    public Func<long, PortalActionResult<OrderDto>>? ResolveResult { get; set; }
    /// <summary>When set, adding a note fails with this message (as the server's validation problem would).</summary>
    public string? NoteFailure { get; set; }

    public List<(long Id, ResolveOrderRequest Request, string? FileName)> ResolveCalls { get; } = [];
    public List<(long Id, string Text)> NoteCalls { get; } = [];
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
        // The server's two "needs a person" filters; every other filter is the test's to arrange.
        var matching = Orders
            .Where(o => query.Attention != true || o.Status is OrderStatus.Failed or OrderStatus.Reversed || o.Stuck || o.Disputed)
            .Where(o => query.Waiting != true || o.Stuck || o.Disputed)
            .ToList();
        var page = matching.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToList();
        return Task.FromResult(new PagedResult<OrderSummaryDto>(page, matching.Count, query.Page, query.PageSize));
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

    /// <summary>Settles the order in memory as the server would: final status, flags cleared, the resolution (and a manual confirmation) recorded.</summary>
    public Task<PortalActionResult<OrderDto>> ResolveAsync(long id, ResolveOrderRequest request, IBrowserFile? file = null, CancellationToken cancellationToken = default)
    {
        ResolveCalls.Add((id, request, file?.Name));
        if (ResolveResult is not null)
        {
            return Task.FromResult(ResolveResult(id));
        }

        var delivered = request.Outcome == ResolutionOutcomes.Delivered;
        var status = delivered ? OrderStatus.Delivered : OrderStatus.Failed;
        var summary = Orders.FindIndex(o => o.Id == id);
        if (summary >= 0)
        {
            Orders[summary] = Orders[summary] with { Status = status, Stuck = false, Disputed = false, UpdatedAt = TestData.Now };
        }

        if (!OrderDetails.TryGetValue(id, out var order))
        {
            order = TestData.Order(id, OrderStatus.Unknown);
        }

        var resolution = new OrderResolutionDto(100 + id, order.AttemptNo, request.Outcome!, request.Reason!, request.Evidence, file?.Name, file?.Size,
            CurrentUser?.Email ?? "?", TestData.Now);
        order = order with
        {
            Status = status,
            Stuck = false,
            Disputed = false,
            Confirmations = delivered ? [.. order.Confirmations, new ConfirmationDto(ConfirmationSource.Manual, TestData.Now)] : order.Confirmations,
            Resolutions = [.. order.Resolutions ?? [], resolution],
            LateDeliveryWatchUntil = delivered ? null : DateTimeOffset.UtcNow.AddDays(7),
        };
        OrderDetails[id] = order;
        return Task.FromResult(new PortalActionResult<OrderDto>(true, $"Order {id} resolved as {request.Outcome}.", order, 200));
    }

    public Task<PortalActionResult<OrderNoteDto>> AddNoteAsync(long id, string text, CancellationToken cancellationToken = default)
    {
        NoteCalls.Add((id, text));
        if (NoteFailure is not null)
        {
            return Task.FromResult(new PortalActionResult<OrderNoteDto>(false, NoteFailure, null, 400, "VALIDATION"));
        }

        var note = new OrderNoteDto(500 + NoteCalls.Count, CurrentUser?.Email ?? "?", text, TestData.Now.AddMinutes(5));
        if (OrderDetails.TryGetValue(id, out var order))
        {
            OrderDetails[id] = order with { Notes = [.. order.Notes ?? [], note] };
        }

        return Task.FromResult(new PortalActionResult<OrderNoteDto>(true, "Note added.", note, 201));
    }

    public string GetEvidenceFileUrl(long orderId, long resolutionId) => new PortalApi(new HttpClient()).GetEvidenceFileUrl(orderId, resolutionId);

    public Task<CurrentUserDto?> GetCurrentUserAsync(CancellationToken cancellationToken = default) => Task.FromResult(CurrentUser);

    public int SignOuts { get; private set; }

    public Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        SignOuts++;
        return Task.CompletedTask;
    }

    public string GetExportUrl(OrderListQuery query) => new PortalApi(new HttpClient()).GetExportUrl(query);
}
