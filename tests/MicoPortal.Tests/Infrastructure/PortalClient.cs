using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using MicoPortal.Server.Data;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>Helpers over a started <see cref="PortalFactory"/>: a shop client and direct database reads.</summary>
public static class PortalClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static HttpClient ShopClient(this PortalFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        return client;
    }

    /// <summary>The portal's own origin, which a cookie-authenticated write must carry as its <c>Origin</c> header (as a browser does).</summary>
    public static string OriginOf(Uri root) => root.GetLeftPart(UriPartial.Authority);

    public const string Admin = "admin@micoportal.local";
    public const string Operations = "ops@micoportal.local";
    public const string Password = "Dev-Passw0rd!";

    /// <summary>A client signed in as a development user, with its cookies (for hub connections too).</summary>
    public static async Task<(HttpClient Client, CookieContainer Cookies)> SignInAsync(this PortalFactory factory, string email)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = factory.RootUri };
        client.DefaultRequestHeaders.Add("Origin", OriginOf(factory.RootUri));
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        return (client, cookies);
    }

    public static CreateOrderRequest NewOrder(string? externalId = null, string micoUserId = "12345610", int coins = 500) =>
        new(externalId ?? $"t-{Guid.NewGuid():N}", micoUserId, "GLOBAL", "MICO-COINS-500", coins, "4.99", "USD");

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json))!;

    public static async Task<T> WithDbAsync<T>(this PortalFactory factory, Func<PortalDbContext, Task<T>> read)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await read(db);
    }

    /// <summary>Polls until <paramref name="done"/> holds or the time is up; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (await done())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return await done();
    }
}
