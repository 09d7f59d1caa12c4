using System.Net;
using System.Text;
using MicoPortal.Client.Services;
using MicoPortal.Shared.Providers;

namespace MicoPortal.Client.Tests;

public class ProvidersApiTests
{
    private sealed class StubHandler(HttpStatusCode status, string json) : HttpMessageHandler
    {
        public List<(HttpMethod Method, string Uri, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.RequestUri!.AbsolutePath, body));
            return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    private static (ProvidersApi Api, StubHandler Handler) Create(HttpStatusCode status, string json = "")
    {
        var handler = new StubHandler(status, json);
        return (new ProvidersApi(new HttpClient(handler) { BaseAddress = new Uri("http://portal.test/") }), handler);
    }

    [Fact]
    public async Task The_list_reads_health_as_a_name_and_the_balance_history()
    {
        var (api, handler) = Create(HttpStatusCode.OK, """
            {"items":[{"name":"alpha","priority":1,"skus":[],"regions":["MENA"],"paused":true,"pauseReason":"top-up","health":"Degraded",
              "balance":"640.50","currency":"USD","balanceAt":"2026-03-14T09:26:00Z","lowBalance":"1000.00","inFlight":2,"successRate":null,
              "latencyP95Ms":812.5,"pausedBy":"ops@micoportal.local","pausedAt":"2026-03-14T09:00:00Z","balanceLow":true,
              "balanceHistory":[{"at":"2026-03-14T09:20:00Z","balance":"700.00"}]}]}
            """);

        var provider = Assert.Single(await api.GetProvidersAsync());

        Assert.Equal((HttpMethod.Get, "/api/v1/providers"), (handler.Requests[0].Method, handler.Requests[0].Uri));
        Assert.Equal(ProviderHealth.Degraded, provider.Health);
        Assert.Null(provider.SuccessRate);
        Assert.Equal(("1000.00", true), (provider.LowBalance, provider.BalanceLow));
        Assert.Equal("700.00", Assert.Single(provider.BalanceHistory!).Balance);
    }

    [Fact]
    public async Task Pause_posts_the_reason_to_the_providers_route()
    {
        var (api, handler) = Create(HttpStatusCode.OK);

        var result = await api.PauseAsync("acme pay/eu", "float top-up");

        Assert.True(result.Succeeded);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/api/v1/providers/acme%20pay%2Feu/pause", request.Uri);
        Assert.Equal("""{"reason":"float top-up"}""", request.Body);
    }

    [Fact]
    public async Task A_refused_pause_carries_the_problem_details_message_and_code()
    {
        var (api, _) = Create(HttpStatusCode.BadRequest, """{"title":"Invalid request","detail":"A reason is required.","code":"VALIDATION"}""");

        var result = await api.PauseAsync("alpha", " ");

        Assert.False(result.Succeeded);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("VALIDATION", result.Code);
        Assert.Contains("A reason is required.", result.Message);
    }

    [Fact]
    public async Task Resume_posts_without_a_body_and_an_unknown_provider_says_so()
    {
        var (api, handler) = Create(HttpStatusCode.NotFound);

        var result = await api.ResumeAsync("zeta");

        Assert.Equal((HttpMethod.Post, "/api/v1/providers/zeta/resume", (string?)null), Assert.Single(handler.Requests));
        Assert.False(result.Succeeded);
        Assert.Equal("Not found.", result.Message);
    }
}
