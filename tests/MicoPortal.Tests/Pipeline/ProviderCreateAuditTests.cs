using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Pipeline;

/// <summary>
/// The audit the crash, chaos, shutdown and scenario tests rely on, fed by a real sandbox over HTTP
/// playing a portal that breaks rule 1 in each way: each break must be reported. The first case is
/// the one the old check (<c>Committed == 1</c> for the current reference) could never see.
/// </summary>
public sealed class ProviderCreateAuditTests : IAsyncLifetime
{
    private ProviderHost _provider = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _provider = await ProviderHost.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_provider.BaseUrl + "/") };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProviderHost.ApiKey);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task A_create_sent_twice_is_reported_although_the_provider_commits_it_once()
    {
        Assert.Equal(HttpStatusCode.Created, await CreateAsync("5-1", "12345610"));
        Assert.Equal(HttpStatusCode.OK, await CreateAsync("5-1", "12345610")); // the portal resent it

        var audit = ProviderCreateAudit.Check(_provider.Ledger, [Order(5)]);

        Assert.Equal(1, _provider.Ledger.CreatesCommitted("5-1")); // what the tests checked before: blind to the resend
        Assert.Equal(2, audit.Violations.Count);
        Assert.Contains(audit.Violations, v => v.StartsWith("5-1: 1 create(s) sent again without REF_NOT_FOUND", StringComparison.Ordinal));
        Assert.Contains(audit.Violations, v => v.StartsWith("5-1: 1 create(s) replayed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_create_sent_again_after_a_refusal_is_reported_and_one_sent_after_REF_NOT_FOUND_is_not()
    {
        // Scenario 96: the first three calls for the order are refused with 429 and nothing is stored.
        Assert.Equal(HttpStatusCode.TooManyRequests, await CreateAsync("6-1", "12345696"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await CreateAsync("6-1", "12345696")); // 429 is not REF_NOT_FOUND: the outcome was unknown
        Assert.Equal(HttpStatusCode.TooManyRequests, (await QueryAsync("6-1")).StatusCode);
        var asked = await QueryAsync("6-1");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Equal(["6-1"], (await asked.Content.ReadFromJsonAsync<ProviderQueryResponse>(ProviderJson.Options))!.NotFound);
        Assert.Equal(HttpStatusCode.Created, await CreateAsync("6-1", "12345696")); // allowed: the provider said REF_NOT_FOUND

        var audit = ProviderCreateAudit.Check(_provider.Ledger, [Order(6)]);

        Assert.Equal(["6-1: 1 create(s) sent again without REF_NOT_FOUND (3 received, 1 committed, 0 replayed)"], audit.Violations);
    }

    [Fact]
    public async Task An_attempt_committed_under_two_references_and_a_reference_of_no_known_order_are_reported()
    {
        Assert.Equal(HttpStatusCode.Created, await CreateAsync("7-1", "12345610"));
        Assert.Equal(HttpStatusCode.Created, await CreateAsync("7-2", "12345610")); // a new reference without a retry-delivery
        Assert.Equal(HttpStatusCode.Created, await CreateAsync("8-1", "12345610")); // the portal has no order 8

        var audit = ProviderCreateAudit.Check(_provider.Ledger, [Order(7)]);

        Assert.Equal(3, audit.Committed);
        Assert.Equal(2, audit.Violations.Count);
        Assert.Contains(audit.Violations, v => v.Contains("committed 2 times at the provider, expected 1", StringComparison.Ordinal));
        Assert.Contains(audit.Violations, v => v.StartsWith("order 8: 1 create(s) at the provider for an order the portal does not have", StringComparison.Ordinal));
    }

    private async Task<HttpStatusCode> CreateAsync(string clientRef, string userId)
    {
        var request = new ProviderCreateOrderRequest(clientRef, "MICO-COINS-100", new ProviderAccount(userId, "GLOBAL"), 100, new ProviderMoney("4.99", "USD"), null);
        using var response = await _http.PostAsJsonAsync("v1/orders", request, ProviderJson.Options);
        return response.StatusCode;
    }

    private Task<HttpResponseMessage> QueryAsync(string clientRef) =>
        _http.PostAsJsonAsync("v1/orders/query", new ProviderQueryRequest([clientRef]), ProviderJson.Options);

    private static Order Order(long id) => new()
    {
        Id = id,
        ExternalId = $"audit-{id}",
        MicoUserId = "12345610",
        Region = "GLOBAL",
        Sku = "MICO-COINS-100",
        Currency = "USD",
    };
}
