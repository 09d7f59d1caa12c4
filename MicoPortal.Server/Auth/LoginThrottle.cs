using System.Globalization;
using System.Threading.RateLimiting;
using MicoPortal.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Auth;

/// <summary>
/// The one limit on signing in, for both ways in (<c>POST /api/v1/auth/login</c> and the <c>/login</c> page's
/// form): attempts per client address (<c>RateLimiting:LoginPerMinute</c>) and per account, by normalized e-mail
/// (<c>RateLimiting:LoginPerAccountPerMinute</c>), so guessing one account's password from many addresses is
/// slowed as much as guessing from one. Lockout after repeated failures (Identity) stays on top of this.
/// </summary>
public sealed class LoginThrottle(IOptions<RateLimitingOptions> options) : IDisposable
{
    private const int MaxAccountKey = 256;

    /// <summary>Identity's own normalization of e-mails (its default <see cref="ILookupNormalizer"/>).</summary>
    private static readonly UpperInvariantLookupNormalizer Normalizer = new();

    private readonly PartitionedRateLimiter<string> byAddress = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => PerMinute(options.Value.LoginPerMinute)));

    private readonly PartitionedRateLimiter<string> byAccount = PartitionedRateLimiter.Create<string, string>(account =>
        RateLimitPartition.GetFixedWindowLimiter(account, _ => PerMinute(options.Value.LoginPerAccountPerMinute)));

    /// <summary>
    /// Counts one sign-in attempt; <c>null</c> when it may go ahead, else how long to wait. The address is
    /// counted even when the account refuses.
    /// </summary>
    public TimeSpan? TryAcquire(HttpContext http, string? email)
    {
        using (var address = byAddress.AttemptAcquire(RateLimiting.ClientAddress(http)))
        {
            if (!address.IsAcquired)
            {
                return RetryAfter(address);
            }
        }

        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var account = Normalizer.NormalizeEmail(email.Trim());
        using var lease = byAccount.AttemptAcquire(account.Length > MaxAccountKey ? account[..MaxAccountKey] : account);
        return lease.IsAcquired ? null : RetryAfter(lease);
    }

    /// <summary>The words the login page shows when refused.</summary>
    public static string Message(TimeSpan wait) =>
        string.Create(CultureInfo.InvariantCulture, $"Too many sign-in attempts. Try again in {RateLimiting.Seconds(wait)} s.");

    public void Dispose()
    {
        byAddress.Dispose();
        byAccount.Dispose();
    }

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);

    private static FixedWindowRateLimiterOptions PerMinute(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };
}
