using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MicoPortal.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Auth;

/// <summary>
/// Finds the shop of a presented API key: configured keys first, then the keys admins created,
/// which are looked up by digest and cached for <see cref="CacheFor"/> so intake at thousands of
/// orders a second does not read the keys table on every request. Revoking a key clears this
/// instance's cache at once; other instances notice within <see cref="CacheFor"/>.
/// </summary>
public sealed class ShopApiKeyStore(IDbContextFactory<PortalDbContext> dbFactory, IOptionsMonitor<ShopApiKeyOptions> configured, WriteGate writeGate, TimeProvider time)
{
    public const string KeyPrefix = "mp_";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    // Bounded so a flood of wrong keys cannot grow it without limit.
    private const int MaxCached = 10_000;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly ConcurrentDictionary<string, CachedKey> cache = new(StringComparer.Ordinal);
    private (ShopApiKeyOptions? Options, (string Shop, byte[] Digest)[] Digests) configuredDigests = (null, []);

    private sealed record CachedKey(string? Shop, DateTimeOffset Expires);

    private const int RandomLength = 40;

    /// <summary>A new key: <c>mp_</c> and 40 random letters and digits (about 238 bits).</summary>
    public static string NewKey() => KeyPrefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    /// <summary>Shaped like a key <see cref="NewKey"/> issues: anything else cannot be in the keys table.</summary>
    public static bool IsIssuedShape(string key) =>
        key.Length == KeyPrefix.Length + RandomLength
        && key.StartsWith(KeyPrefix, StringComparison.Ordinal)
        && key.AsSpan(KeyPrefix.Length).IndexOfAnyExcept(Alphabet) < 0;

    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>What admins see of a key: enough to recognise it, far too little to use it.</summary>
    public static string PrefixOf(string key) => key[..Math.Min(key.Length, KeyPrefix.Length + 6)];

    /// <summary>The shop the key belongs to, or <c>null</c> when it is unknown or revoked.</summary>
    public async ValueTask<string?> FindShopAsync(string presented, CancellationToken cancellationToken)
    {
        var digest = Digest(presented);
        if (MatchConfigured(digest) is { } shop)
        {
            return shop;
        }

        // A key the portal never issues costs no database read (a flood of made-up keys reads nothing).
        if (!IsIssuedShape(presented))
        {
            return null;
        }

        var cacheKey = Convert.ToHexString(digest);
        var now = time.GetUtcNow();
        if (cache.TryGetValue(cacheKey, out var cached) && cached.Expires > now)
        {
            return cached.Shop;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ShopApiKeys.AsNoTracking()
            .Where(k => k.Hash == digest && k.RevokedAt == null)
            .Select(k => new { k.Id, k.Shop })
            .FirstOrDefaultAsync(cancellationToken);
        if (key is not null)
        {
            // Last use to within the cache period: one write per key per period, not per request.
            // In the write queue with intake and the sweeps: outside it, a request could wait for a moment between them.
            await writeGate.WriteAsync(db.Database, () => db.ShopApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken), cancellationToken);
        }

        // Wrong keys are not cached: a flood of well-shaped made-up keys must not push the real shops' keys out.
        if (key is null)
        {
            return null;
        }

        if (cache.Count >= MaxCached)
        {
            cache.Clear();
        }

        cache[cacheKey] = new CachedKey(key.Shop, now + CacheFor);
        return key.Shop;
    }

    /// <summary>Forget cached answers, after a key was created or revoked here.</summary>
    public void Invalidate() => cache.Clear();

    private string? MatchConfigured(byte[] digest)
    {
        string? match = null;
        foreach (var (shop, keyDigest) in ConfiguredDigests())
        {
            // Check every key so timing does not tell which one was close.
            if (CryptographicOperations.FixedTimeEquals(digest, keyDigest))
            {
                match = shop;
            }
        }

        return match;
    }

    /// <summary>Digests of the configured keys, computed again only when the configuration changes.</summary>
    private (string Shop, byte[] Digest)[] ConfiguredDigests()
    {
        var current = configured.CurrentValue;
        var cached = configuredDigests;
        if (cached.Options == current)
        {
            return cached.Digests;
        }

        var digests = current.ApiKeys.Where(k => !string.IsNullOrEmpty(k.Key)).Select(k => (k.Name, Digest(k.Key))).ToArray();
        configuredDigests = (current, digests);
        return digests;
    }
}
