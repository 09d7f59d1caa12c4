using System.Net;
using System.Text;
using System.Text.Json;
using MicoPortal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Api;

/// <summary>
/// Hostile and broken input on every public endpoint: wrong types, huge bodies, invalid ids, SQL
/// and script payloads. Each gets a 4xx problem detail with a code, never a 500, and nothing is lost.
/// </summary>
public class BadInputTests(PortalFixture fixture, ITestOutputHelper output) : IClassFixture<PortalFixture>
{
    private const string Sql = "'; DROP TABLE Orders; --";
    private const string Script = "<script>alert(1)</script>";

    private static readonly string Huge = new('x', 3 * 1024 * 1024);

    public static TheoryData<string, string, string?> Requests() => new()
    {
        // Shop intake
        { "POST", "/api/v1/orders", "{\"externalId\":123,\"micoUserId\":12345678,\"coins\":\"ten\"}" },
        { "POST", "/api/v1/orders", $"{{\"externalId\":\"{Sql}\",\"micoUserId\":\"12345678\",\"region\":\"GLOBAL\",\"sku\":\"S\",\"coins\":1,\"amount\":\"1.00\",\"currency\":\"USD\"}}" },
        { "POST", "/api/v1/orders", $"{{\"externalId\":\"x-1\",\"micoUserId\":\"{Script}\",\"region\":\"{Sql}\",\"sku\":\"{Script}\",\"coins\":1,\"amount\":\"1e9\",\"currency\":\"<b>\"}}" },
        { "POST", "/api/v1/orders", "{\"externalId\":\"x-2\",\"micoUserId\":\"12345678\",\"region\":\"GLOBAL\",\"sku\":\"S\",\"coins\":99999999999999999999,\"amount\":\"1.00\",\"currency\":\"USD\"}" },
        { "POST", "/api/v1/orders", "{\"externalId\":\"" + Huge + "\"}" },
        { "POST", "/api/v1/orders", $"{{\"externalId\":\"x-3\",\"micoUserId\":\"12345678\",\"region\":\"GLOBAL\",\"sku\":\"S\",\"coins\":1,\"amount\":\"1.00\",\"currency\":\"USD\",\"customerPhone\":\"{Script}\"}}" },
        { "POST", "/api/v1/orders", "{\"externalId\":\"x-4\",\"micoUserId\":\"12345678\",\"region\":\"GLOBAL\",\"sku\":\"S\",\"coins\":1,\"amount\":\"1.00\",\"currency\":\"USD\",\"customerPhone\":971501234567}" },
        { "POST", "/api/v1/orders", "null" },
        { "POST", "/api/v1/orders", "\"just a string\"" },
        { "POST", "/api/v1/orders/batch", "{\"orders\":\"not a list\"}" },
        { "POST", "/api/v1/orders/batch", "{\"orders\":[null, 1, \"x\"]}" },
        { "POST", "/api/v1/orders/batch", "{}" },
        // Reads
        { "GET", "/api/v1/orders/abc", null },
        { "GET", "/api/v1/orders/-1", null },
        { "GET", "/api/v1/orders/99999999999999999999", null },
        { "GET", "/api/v1/orders/0", null },
        { "GET", "/api/v1/orders?page=abc", null },
        { "GET", "/api/v1/orders?status=Exploded", null },
        { "GET", "/api/v1/orders?from=yesterday", null },
        { "GET", "/api/v1/orders?pageSize=-5&page=-1&sort=" + Uri.EscapeDataString(Sql), null },
        { "GET", "/api/v1/orders?q=" + Uri.EscapeDataString(Sql), null },
        { "GET", "/api/v1/orders?externalId=" + Uri.EscapeDataString(Script), null },
        { "GET", "/api/v1/orders/export?status=" + Uri.EscapeDataString(Sql), null },
        // Lookup
        { "POST", "/api/v1/accounts/lookup", $"{{\"micoUserId\":\"{Sql}\",\"region\":\"{Script}\"}}" },
        { "POST", "/api/v1/accounts/lookup", "[1,2,3]" },
        // Sign-in
        { "POST", "/api/v1/auth/login", $"{{\"email\":\"{Sql}\",\"password\":\"{Script}\"}}" },
        { "POST", "/api/v1/auth/login", "{\"email\":42}" },
        // Provider callbacks (unsigned, so refused before parsing)
        { "POST", "/api/v1/provider/callbacks", "{\"eventId\":" + Huge.Length + "}" },
        { "POST", "/api/v1/provider/callbacks", Huge },
        // Admin: API keys, users, the first-admin bootstrap
        { "POST", "/api/v1/admin/api-keys", $"{{\"shop\":\"{Sql}\",\"name\":\"{Script}\"}}" },
        { "POST", "/api/v1/admin/api-keys", "{\"shop\":[1],\"name\":{}}" },
        { "POST", "/api/v1/admin/api-keys", "{\"shop\":\"" + Huge + "\"}" },
        { "DELETE", "/api/v1/admin/api-keys/abc", null },
        { "DELETE", "/api/v1/admin/api-keys/99999999999999999999", null },
        { "POST", "/api/v1/admin/users", $"{{\"email\":\"{Sql}\",\"password\":\"{Script}\",\"role\":\"{Sql}\"}}" },
        { "POST", "/api/v1/admin/users", "{\"email\":true}" },
        { "PUT", "/api/v1/admin/users/" + Uri.EscapeDataString(Sql) + "/role", "{\"role\":\"Admin\"}" },
        { "PUT", "/api/v1/admin/users/x/role", $"{{\"role\":\"{Script}\"}}" },
        { "POST", "/api/v1/admin/users/" + Uri.EscapeDataString(Script) + "/unlock", null },
        { "DELETE", "/api/v1/admin/users/" + Uri.EscapeDataString(Sql), null },
        { "POST", "/api/v1/auth/bootstrap", $"{{\"secret\":\"{Sql}\",\"email\":\"{Script}\"}}" },
        // Audit and reconciliation
        { "GET", "/api/v1/audit/verify?sequence=abc&hash=" + Uri.EscapeDataString(Sql), null },
        { "GET", "/api/v1/audit/verify?sequence=-1&hash=" + new string('z', 64), null },
        { "GET", "/api/v1/audit/entries?page=0&pageSize=100000", null },
        { "GET", "/api/v1/incidents?state=" + Uri.EscapeDataString(Sql), null },
        { "GET", "/api/v1/incidents?state=" + Uri.EscapeDataString(Script), null },
        { "GET", "/api/v1/notifications?orderId=abc", null },
        { "GET", "/api/v1/notifications?orderId=99999999999999999999999", null },
        { "GET", "/api/v1/notifications?status=" + Uri.EscapeDataString(Sql), null },
        { "GET", "/api/v1/notifications?page=0&pageSize=100000", null },
        { "GET", "/api/v1/notifications/sandbox-inbox?page=-1", null },
        { "GET", "/api/v1/audit/entries?orderId=abc&action=" + Uri.EscapeDataString(Sql), null },
        { "POST", "/api/v1/reconciliations", $"{{\"file\":\"{Sql}\"}}" },
        { "GET", "/api/v1/reconciliations/abc", null },
        { "GET", "/api/v1/reconciliations/99999999999999999999", null },
        { "GET", "/api/v1/reconciliations/424242", null },
        { "GET", "/api/v1/reconciliations/424242/items?kind=" + Uri.EscapeDataString(Script), null },
        { "GET", "/api/v1/reconciliations/424242/items.csv?kind=" + Uri.EscapeDataString(Sql), null },
        { "GET", "/api/v1/reconciliations?page=-3&pageSize=0", null },
        { "POST", "/api/v1/reconciliations/sandbox?minutes=" + Uri.EscapeDataString(Sql), null },
        // Metrics
        { "GET", "/api/v1/metrics/summary?window=" + Uri.EscapeDataString(Sql), null },
        { "GET", "/api/v1/metrics/timeseries?window=99999999h", null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Bad_input_gets_a_client_error_with_a_problem_code(string method, string path, string? body)
    {
        var (client, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        var ordersBefore = await fixture.Factory.WithDbAsync(db => Task.FromResult(db.Orders.Count()));
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage sent;
        try
        {
            sent = await client.SendAsync(request);
        }
        catch (HttpRequestException ex) when (body is { Length: > 1024 * 1024 } && ex.InnerException is IOException)
        {
            // Kestrel refused the oversized body (413) and closed the connection while the client was still sending it:
            // refused all the same. Nothing may have been created.
            output.WriteLine($"{method} {path} -> connection closed while sending {body.Length} bytes: {ex.InnerException.Message}");
            Assert.Equal(ordersBefore, await fixture.Factory.WithDbAsync(db => Task.FromResult(db.Orders.Count())));
            return;
        }

        using var response = sent;
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{method} {path[..Math.Min(path.Length, 80)]} -> {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");

        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            // Harmless input may be answered normally (a search for a strange string finds nothing),
            // but must not have created anything.
            Assert.Equal(ordersBefore, await fixture.Factory.WithDbAsync(db => Task.FromResult(db.Orders.Count())));
            Assert.DoesNotContain(Script, text, StringComparison.Ordinal);
            return;
        }

        Assert.InRange(status, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_body_over_two_megabytes_is_refused_before_it_is_read()
    {
        var response = await fixture.Factory.ShopClient().PostAsync("/api/v1/orders",
            new StringContent("{\"externalId\":\"" + Huge + "\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("PAYLOAD_TOO_LARGE", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Script_in_a_stored_field_is_returned_as_data_not_markup()
    {
        var shop = fixture.Factory.ShopClient();
        var externalId = "ok-" + Guid.NewGuid().ToString("N")[..8];
        var created = await shop.PostAsync("/api/v1/orders", new StringContent(
            $"{{\"externalId\":\"{externalId}\",\"micoUserId\":\"12345678\",\"region\":\"GLOBAL\",\"sku\":\"S\",\"coins\":1,\"amount\":\"1.00\",\"currency\":\"USD\"}}",
            Encoding.UTF8, "application/json"));
        var csv = await shop.GetStringAsync($"/api/v1/orders/export?externalId={externalId}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("application/json", created.Content.Headers.ContentType?.MediaType);
        Assert.Contains(externalId, csv, StringComparison.Ordinal);
    }
}
