using System.Net;
using System.Text;
using MicoPortal.Client.Services;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using Microsoft.AspNetCore.Components.Forms;

namespace MicoPortal.Client.Tests;

/// <summary>What the resolve, note and webhook calls put on the wire.</summary>
public class CaseAndWebhookApiTests
{
    private sealed class StubHandler(HttpStatusCode status, string json) : HttpMessageHandler
    {
        public List<(HttpMethod Method, string Uri, string? ContentType, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.RequestUri!.PathAndQuery, request.Content?.Headers.ContentType?.MediaType, body));
            return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    private sealed class TextFile(string name, string text) : IBrowserFile
    {
        public string Name => name;
        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;
        public long Size => Encoding.UTF8.GetByteCount(text);
        public string ContentType => "text/plain";
        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) => new MemoryStream(Encoding.UTF8.GetBytes(text));
    }

    private const string OrderJson = """
        {"id":5,"externalId":"e","micoUserId":"123456","region":"GLOBAL","sku":"s","coins":10,"amount":"1.00","currency":"USD",
         "status":"Delivered","stuck":false,"disputed":false,"attemptNo":1,"clientRef":"5-1","providerRef":null,"providerStatus":null,
         "reasonCode":null,"reasonMessage":null,"proof":null,"confirmations":[{"source":"manual","confirmedAt":"2026-03-01T10:00:01Z"}],"attempts":[],
         "receivedAt":"2026-03-01T09:59:00Z","submittedAt":null,"completedAt":null,"updatedAt":"2026-03-01T10:00:01Z","nextCheckAt":null,"latencyMs":60000,
         "notes":[{"id":1,"author":"ops@micoportal.local","text":"asked","at":"2026-03-01T10:00:00Z"}],
         "resolutions":[{"id":3,"deliveryAttemptNo":1,"outcome":"Delivered","reason":"r","evidence":null,"evidenceFileName":"t.txt","evidenceFileBytes":4,"resolvedBy":"a","resolvedAt":"2026-03-01T10:00:01Z"}]}
        """;

    private static (T Api, StubHandler Handler) Create<T>(Func<HttpClient, T> make, HttpStatusCode status, string json)
    {
        var handler = new StubHandler(status, json);
        return (make(new HttpClient(handler) { BaseAddress = new Uri("http://portal.test/") }), handler);
    }

    [Fact]
    public async Task Resolve_without_a_file_posts_json_and_reads_the_order_with_its_manual_confirmation()
    {
        var (api, handler) = Create(h => new PortalApi(h), HttpStatusCode.OK, OrderJson);

        var result = await api.ResolveAsync(5, new ResolveOrderRequest("Delivered", "support confirmed", null));

        Assert.True(result.Succeeded);
        Assert.Equal(ConfirmationSource.Manual, Assert.Single(result.Value!.Confirmations).Source);
        Assert.Equal("t.txt", Assert.Single(result.Value.Resolutions!).EvidenceFileName);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(("/api/v1/orders/5/resolve", "application/json"), (request.Uri, request.ContentType));
        Assert.Contains("\"outcome\":\"Delivered\"", request.Body);
        Assert.Contains("\"reason\":\"support confirmed\"", request.Body);
    }

    [Fact]
    public async Task Resolve_with_a_file_posts_a_multipart_form_with_the_same_fields()
    {
        var (api, handler) = Create(h => new PortalApi(h), HttpStatusCode.OK, OrderJson);

        await api.ResolveAsync(5, new ResolveOrderRequest("Failed", "never arrived", "ticket 4711"), new TextFile("ticket.txt", "not delivered"));

        var request = Assert.Single(handler.Requests);
        Assert.Equal("multipart/form-data", request.ContentType);
        Assert.Contains("name=outcome", request.Body);
        Assert.Contains("Failed", request.Body);
        Assert.Contains("name=evidence", request.Body);
        Assert.Contains("name=file; filename=ticket.txt", request.Body);
        Assert.Contains("not delivered", request.Body);
    }

    [Fact]
    public async Task A_refused_resolve_carries_the_problem_message_and_code()
    {
        var (api, _) = Create(h => new PortalApi(h), HttpStatusCode.Conflict,
            """{"title":"Only Unknown, stuck or disputed orders can be settled by hand.","status":409,"code":"INVALID_STATE"}""");

        var result = await api.ResolveAsync(5, new ResolveOrderRequest("Delivered", "r"));

        Assert.False(result.Succeeded);
        Assert.Equal((409, "INVALID_STATE"), (result.StatusCode, result.Code));
        Assert.Equal("Only Unknown, stuck or disputed orders can be settled by hand.", result.Message);
    }

    [Fact]
    public async Task A_note_posts_its_text_and_the_waiting_filter_is_a_query_word()
    {
        var (api, handler) = Create(h => new PortalApi(h), HttpStatusCode.Created, """{"id":9,"author":"ops@micoportal.local","text":"asked","at":"2026-03-01T10:00:00Z"}""");

        var result = await api.AddNoteAsync(5, "asked");

        Assert.Equal("ops@micoportal.local", result.Value!.Author);
        Assert.Equal(("/api/v1/orders/5/notes", """{"text":"asked"}"""), (handler.Requests[0].Uri, handler.Requests[0].Body));
        Assert.Equal("waiting=true&page=1&pageSize=50&desc=true", OrderQueryString.Build(new OrderListQuery(Waiting: true)));
    }

    [Fact]
    public async Task Deliveries_query_writes_each_filter_in_the_contracts_words()
    {
        var (api, handler) = Create(h => new WebhooksApi(h), HttpStatusCode.OK,
            """{"items":[{"id":1,"eventId":"e","shop":"s","orderId":4,"type":"order.failed","state":"failed","attempts":3,"lastStatus":500,"lastError":"x","nextAttemptAt":null,"createdAt":"2026-03-01T10:00:00Z","succeededAt":null}],"total":1,"page":2,"pageSize":10}""");

        var page = await api.GetDeliveriesAsync(new WebhookDeliveryQuery("coins store", 42, WebhookDeliveryState.Failed, 2, 10));

        Assert.Equal("/api/v1/webhooks/deliveries?shop=coins%20store&orderId=42&state=failed&page=2&pageSize=10", handler.Requests[0].Uri);
        Assert.Equal(WebhookDeliveryState.Failed, Assert.Single(page.Items).State);
    }

    [Fact]
    public async Task Setting_an_endpoint_puts_the_url_and_reads_the_secret()
    {
        var (api, handler) = Create(h => new WebhooksApi(h), HttpStatusCode.OK, """{"url":"https://s.example/h","secret":"whsec_1"}""");

        var result = await api.SetEndpointAsync("coins-store", "https://s.example/h");

        Assert.Equal("whsec_1", result.Value!.Secret);
        Assert.Equal((HttpMethod.Put, "/api/v1/admin/shops/coins-store/webhook", """{"url":"https://s.example/h"}"""),
            (handler.Requests[0].Method, handler.Requests[0].Uri, handler.Requests[0].Body));
    }

    [Fact]
    public async Task Resend_all_failed_names_the_shop_and_reads_how_many_were_queued()
    {
        var (api, handler) = Create(h => new WebhooksApi(h), HttpStatusCode.Accepted, """{"queued":7}""");

        var result = await api.ResendFailedAsync("coins-store");

        Assert.Equal(7, result.Value!.Queued);
        Assert.Equal((HttpMethod.Post, "/api/v1/webhooks/deliveries/resend-failed?shop=coins-store"), (handler.Requests[0].Method, handler.Requests[0].Uri));
    }
}
