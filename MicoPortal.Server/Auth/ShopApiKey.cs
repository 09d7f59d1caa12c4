namespace MicoPortal.Server.Auth;

/// <summary>
/// A shop's API key created by an admin. Only a SHA-256 digest of the key is stored: the key is
/// 40 random characters, so a fast digest is as safe as a slow password hash and keeps each
/// request cheap. Revoked keys are kept for the record.
/// </summary>
public sealed class ShopApiKey
{
    public long Id { get; set; }

    /// <summary>The shop whose orders this key places and sees.</summary>
    public required string Shop { get; set; }

    /// <summary>What the key is for, e.g. "checkout server".</summary>
    public required string Name { get; set; }

    /// <summary>The first characters of the key, so people can tell keys apart without the secret.</summary>
    public required string Prefix { get; set; }

    public required byte[] Hash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
