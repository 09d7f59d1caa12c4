using System.Net;
using System.Text;
using MicoPortal.Client.Services;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests;

public class PortalApiTests
{
    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<(HttpMethod Method, string Uri, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.RequestUri!.PathAndQuery, body));
            return answer(request);
        }
    }

    private static (PortalApi Api, StubHandler Handler) Create(HttpStatusCode status, string json, string mediaType = "application/json")
    {
        var handler = new StubHandler(_ => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) });
        return (new PortalApi(new HttpClient(handler) { BaseAddress = new Uri("http://portal.test/") }), handler);
    }

    [Fact]
    public async Task Orders_query_writes_every_filter()
    {
        var (api, handler) = Create(HttpStatusCode.OK, """{"items":[],"total":0,"page":2,"pageSize":25}""");

        await api.GetOrdersAsync(new OrderListQuery(Status: OrderStatus.Failed, Stuck: true, Attention: true,
            From: new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.FromHours(2)), Q: "shop 1", Page: 2, PageSize: 25, Sort: "receivedAt", Desc: false));

        Assert.Equal(
            "/api/v1/orders?status=Failed&stuck=true&attention=true&from=2026-02-28T22%3A00%3A00Z&q=shop%201&page=2&pageSize=25&sort=receivedAt&desc=false",
            Assert.Single(handler.Requests).Uri);
    }

    [Fact]
    public async Task Order_reads_enum_names_and_confirmation_sources()
    {
        var (api, _) = Create(HttpStatusCode.OK, """
            {"id":5,"externalId":"e","micoUserId":"123456","region":"GLOBAL","sku":"s","coins":10,"amount":"1.00","currency":"USD",
             "status":"Delivered","stuck":false,"disputed":true,"attemptNo":1,"clientRef":"5-1","providerRef":null,"providerStatus":"SUCCESS",
             "reasonCode":null,"reasonMessage":null,"proof":{"serial":"SN","deliveredQuantity":10,"deliveredAt":"2026-03-01T10:00:00Z"},
             "confirmations":[{"source":"ledger","confirmedAt":"2026-03-01T10:00:01Z"}],"attempts":[],
             "receivedAt":"2026-03-01T09:59:00Z","submittedAt":null,"completedAt":null,"updatedAt":"2026-03-01T10:00:01Z","nextCheckAt":null,"latencyMs":60000}
            """);

        var order = await api.GetOrderAsync(5);

        Assert.NotNull(order);
        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Equal(ConfirmationSource.Ledger, Assert.Single(order.Confirmations).Source);
    }

    [Fact]
    public async Task Missing_order_is_null()
    {
        var (api, _) = Create(HttpStatusCode.NotFound, """{"title":"Not found","code":"ORDER_NOT_FOUND"}""", "application/problem+json");

        Assert.Null(await api.GetOrderAsync(5));
    }

    [Fact]
    public async Task Retry_conflict_carries_the_problem_details_message_and_code()
    {
        var (api, handler) = Create(HttpStatusCode.Conflict,
            """{"title":"Invalid state","detail":"Order 5 is Delivered; only Failed orders can be retried.","code":"INVALID_STATE"}""",
            "application/problem+json");

        var result = await api.RetryDeliveryAsync(5);

        Assert.False(result.Succeeded);
        Assert.Equal("Invalid state: Order 5 is Delivered; only Failed orders can be retried.", result.Message);
        Assert.Equal("INVALID_STATE", result.Code);
        Assert.Equal((HttpMethod.Post, "/api/v1/orders/5/retry-delivery", (string?)null), Assert.Single(handler.Requests));
    }

    [Fact]
    public async Task Bulk_reverify_posts_ids_and_reads_queued()
    {
        var (api, handler) = Create(HttpStatusCode.Accepted, """{"queued":2}""");

        var result = await api.ReverifyManyAsync([3, 4]);

        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Queued);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("/api/v1/orders/reverify", request.Uri);
        Assert.Contains("\"ids\":[3,4]", request.Body);
    }

    [Fact]
    public async Task Signed_out_user_is_null()
    {
        var (api, _) = Create(HttpStatusCode.Unauthorized, "");

        Assert.Null(await api.GetCurrentUserAsync());
    }

    [Fact]
    public async Task A_server_error_on_a_read_throws_a_readable_exception()
    {
        var (api, _) = Create(HttpStatusCode.ServiceUnavailable, """{"title":"Database unavailable"}""", "application/problem+json");

        var ex = await Assert.ThrowsAsync<PortalApiException>(() => api.GetSummaryAsync());
        Assert.Equal("Database unavailable", ex.Message);
        Assert.Equal(503, ex.StatusCode);
    }

    [Fact]
    public void Export_url_keeps_the_filters_but_not_the_page()
    {
        var api = new PortalApi(new HttpClient());

        Assert.Equal("api/v1/orders/export?status=Reversed&disputed=true&sort=updatedAt&desc=true",
            api.GetExportUrl(new OrderListQuery(Status: OrderStatus.Reversed, Disputed: true, Page: 3, Sort: "updatedAt")));
    }
}
