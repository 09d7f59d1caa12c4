using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using MicoPortal.Server.Auth;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;

namespace MicoPortal.Server.Infrastructure;

/// <summary>Section <c>RateLimiting</c>.</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Sign-in attempts per client address per minute (API and login page together).</summary>
    [Range(1, 10_000)]
    public int LoginPerMinute { get; set; } = 10;

    /// <summary>Sign-in attempts per account (normalized e-mail) per minute, from any address (API and login page together).</summary>
    [Range(1, 10_000)]
    public int LoginPerAccountPerMinute { get; set; } = 10;

    /// <summary>Order intake requests per second per authenticated shop, with the same burst.</summary>
    [Range(1, 1_000_000)]
    public int IntakePerSecond { get; set; } = 20_000;

    /// <summary>Reads of the shop API (orders, lists, exports, account lookups) per second per shop or signed-in operator.</summary>
    [Range(1, 1_000_000)]
    public int ReadsPerSecond { get; set; } = 500;

    /// <summary>Requests per second to the shop API per client address without a valid key or session (wrong keys included).</summary>
    [Range(1, 1_000_000)]
    public int AnonymousPerSecond { get; set; } = 20;
}

/// <summary>
/// Limits on sign-in (guessing passwords; <see cref="Auth.LoginThrottle"/>, and the bootstrap here) and on the shop
/// API (one shop flooding the portal). Shop traffic counts by the shop its key authenticated
/// (<see cref="Auth.ShopApiKeyAuthentication"/>, which runs before this), an operator's by the operator, anything
/// else (no key, a wrong key) by client address: an unchecked header never picks the bucket. A refused
/// request gets 429 problem details with <c>Retry-After</c>.
/// </summary>
public static class RateLimiting
{
    public const string Login = "login";
    public const string Intake = "intake";
    public const string ShopReads = "shop-reads";

    public static IServiceCollection AddPortalRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await Refuse(context.HttpContext, wait).ExecuteAsync(context.HttpContext);
            };

            limiter.AddPolicy(Login, http => RateLimitPartition.GetFixedWindowLimiter(ClientAddress(http), _ =>
            {
                var options = Options(http);
                return new FixedWindowRateLimiterOptions { PermitLimit = options.LoginPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };
            }));

            limiter.AddPolicy(Intake, http => ShopPartition(http, o => o.IntakePerSecond));
            limiter.AddPolicy(ShopReads, http => ShopPartition(http, o => o.ReadsPerSecond));
        });
        return services;
    }

    /// <summary>A token bucket per authenticated shop or operator, else per client address with the anonymous rate.</summary>
    private static RateLimitPartition<string> ShopPartition(HttpContext http, Func<RateLimitingOptions, int> perSecond)
    {
        var options = Options(http);
        var (partition, rate) = ShopScope.Of(http) is { } shop ? ("shop:" + shop, perSecond(options))
            : http.User.Identity is { IsAuthenticated: true, Name: { } user } ? ("user:" + user, perSecond(options))
            : ("ip:" + ClientAddress(http), options.AnonymousPerSecond);
        return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = rate,
            TokensPerPeriod = rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static RateLimitingOptions Options(HttpContext http) =>
        http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RateLimitingOptions>>().Value;

    /// <summary>429 problem details with <c>Retry-After</c>, for limits checked outside the middleware (sign-in).</summary>
    public static ProblemHttpResult Refuse(HttpContext http, TimeSpan wait)
    {
        var seconds = Seconds(wait);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Of(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests.", $"Try again in {seconds} s.");
    }

    /// <summary>Whole seconds to wait, at least one.</summary>
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <summary>
    /// The client's address as limits see it: the peer, or the client a trusted proxy names (<see cref="ProxyTrust"/>).
    /// An IPv6 client counts by its /64, which one subscriber usually holds whole.
    /// </summary>
    public static string ClientAddress(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !System.Net.IPAddress.IsLoopback(address))
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new System.Net.IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }
}
