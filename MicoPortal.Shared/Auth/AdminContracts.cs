namespace MicoPortal.Shared.Auth;

/// <summary>A shop API key as admins see it: never the key itself, only its prefix to recognise it.</summary>
public sealed record ShopApiKeyDto(
    long Id, string Shop, string Name, string Prefix,
    DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? RevokedAt, string? RevokedBy, DateTimeOffset? LastUsedAt)
{
    public bool IsActive => RevokedAt is null;
}

/// <summary><c>POST /api/v1/admin/api-keys</c>: a new key for a shop. Every key of one shop sees that shop's orders.</summary>
public sealed record CreateShopApiKeyRequest(string? Shop, string? Name);

/// <summary>The answer to creating a key: the only time the key itself is shown.</summary>
public sealed record CreatedShopApiKeyDto(ShopApiKeyDto ApiKey, string Key);

/// <summary>A person who signs in to the portal.</summary>
public sealed record PortalUserDto(string Id, string Email, string Role, DateTimeOffset? LockedOutUntil, int FailedSignIns);

/// <summary><c>POST /api/v1/admin/users</c>.</summary>
public sealed record CreateUserRequest(string? Email, string? Password, string? Role);

/// <summary><c>PUT /api/v1/admin/users/{id}/role</c>.</summary>
public sealed record ChangeUserRoleRequest(string? Role);

/// <summary><c>POST /api/v1/auth/bootstrap</c>: creates the first admin with the one-time secret printed to the log.</summary>
public sealed record BootstrapAdminRequest(string? Secret, string? Email, string? Password);
