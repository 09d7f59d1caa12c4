using System.Globalization;
using System.Threading.RateLimiting;
using MicoPortal.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Auth;

/// <summary>
/// The one limit on signing in, for both ways in (<c>POST /api/v1/auth/login</c> and the <c>/login</c> page's
/// form): attempts per client address (<c>RateLimiting:LoginPerMinute</c>) and failed attempts per account, by
/// normalized e-mail (<c>RateLimiting:LoginPerAccountPerMinute</c>), so guessing one account's password from many
/// addresses is slowed as much as guessing from one. Only failures count against the account: sign-ins that
/// succeed never use it up, so nobody can keep an operator out by signing in as often as the limit allows.
/// Lockout after repeated failures (Identity) stays on top of this.
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
    /// Counts one sign-in attempt against the address and checks the account has failures left; <c>null</c> when it
    /// may go ahead, else how long to wait. A failed attempt is then counted with <see cref="CountFailure"/>.
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

        // Zero permits: asks whether the account has failures left without using one.
        using var lease = byAccount.AttemptAcquire(AccountKey(email), permitCount: 0);
        return lease.IsAcquired ? null : RetryAfter(lease);
    }

    /// <summary>A sign-in for this e-mail failed: one of the account's attempts is used up.</summary>
    public void CountFailure(string? email)
    {
        if (!string.IsNullOrWhiteSpace(email))
        {
            using var _ = byAccount.AttemptAcquire(AccountKey(email));
        }
    }

    private static string AccountKey(string email)
    {
        var account = Normalizer.NormalizeEmail(email.Trim());
        return account.Length > MaxAccountKey ? account[..MaxAccountKey] : account;
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
