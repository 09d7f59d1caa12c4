using MicoPortal.Client.Services;
using MicoPortal.Shared.Auth;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="IAdminApi"/> keeping keys and users in memory, like the server would, and recording calls.</summary>
public sealed class FakeAdminApi : IAdminApi
{
    private long _nextKeyId = 100;

    public List<ShopApiKeyDto> Keys { get; } = [];
    public List<PortalUserDto> Users { get; } = [];
    public Exception? LoadError { get; set; }
    /// <summary>When set, creating a key or user fails with this message (as a validation problem would).</summary>
    public string? CreateFailure { get; set; }

    public List<CreateShopApiKeyRequest> CreatedKeys { get; } = [];
    public List<long> RevokedKeys { get; } = [];
    public List<CreateUserRequest> CreatedUsers { get; } = [];
    public List<(string Id, string Role)> RoleChanges { get; } = [];
    public List<string> Unlocked { get; } = [];
    public List<string> Deleted { get; } = [];

    public Task<IReadOnlyList<ShopApiKeyDto>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        LoadError is null ? Task.FromResult<IReadOnlyList<ShopApiKeyDto>>([.. Keys]) : Task.FromException<IReadOnlyList<ShopApiKeyDto>>(LoadError);

    public Task<PortalActionResult<CreatedShopApiKeyDto>> CreateApiKeyAsync(CreateShopApiKeyRequest request, CancellationToken cancellationToken = default)
    {
        CreatedKeys.Add(request);
        if (CreateFailure is not null)
        {
            return Task.FromResult(new PortalActionResult<CreatedShopApiKeyDto>(false, CreateFailure, null, 400, "VALIDATION"));
        }

        var key = "mp_" + new string('K', 34) + _nextKeyId.ToString("D6");
        var dto = new ShopApiKeyDto(_nextKeyId++, request.Shop!, request.Name!, key[..9], TestData.Now, "admin@micoportal.local", null, null, null);
        Keys.Add(dto);
        return Task.FromResult(new PortalActionResult<CreatedShopApiKeyDto>(true, $"API key created for {request.Shop}.", new CreatedShopApiKeyDto(dto, key), 201));
    }

    public Task<PortalActionResult> RevokeApiKeyAsync(long id, CancellationToken cancellationToken = default)
    {
        RevokedKeys.Add(id);
        var index = Keys.FindIndex(k => k.Id == id);
        Keys[index] = Keys[index] with { RevokedAt = TestData.Now, RevokedBy = "admin@micoportal.local" };
        return Task.FromResult(new PortalActionResult(true, "API key revoked.", 204));
    }

    public Task<IReadOnlyList<PortalUserDto>> GetUsersAsync(CancellationToken cancellationToken = default) =>
        LoadError is null ? Task.FromResult<IReadOnlyList<PortalUserDto>>([.. Users]) : Task.FromException<IReadOnlyList<PortalUserDto>>(LoadError);

    public Task<PortalActionResult<PortalUserDto>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken = default)
    {
        CreatedUsers.Add(request);
        if (CreateFailure is not null)
        {
            return Task.FromResult(new PortalActionResult<PortalUserDto>(false, CreateFailure, null, 400, "VALIDATION"));
        }

        var user = new PortalUserDto($"user-{Users.Count + 1}", request.Email!, request.Role!, null, 0);
        Users.Add(user);
        return Task.FromResult(new PortalActionResult<PortalUserDto>(true, $"{request.Email} can now sign in.", user, 201));
    }

    public Task<PortalActionResult> ChangeUserRoleAsync(string id, string role, CancellationToken cancellationToken = default)
    {
        RoleChanges.Add((id, role));
        var index = Users.FindIndex(u => u.Id == id);
        Users[index] = Users[index] with { Role = role };
        return Task.FromResult(new PortalActionResult(true, $"Role changed to {role}.", 204));
    }

    public Task<PortalActionResult> UnlockUserAsync(string id, CancellationToken cancellationToken = default)
    {
        Unlocked.Add(id);
        var index = Users.FindIndex(u => u.Id == id);
        Users[index] = Users[index] with { LockedOutUntil = null, FailedSignIns = 0 };
        return Task.FromResult(new PortalActionResult(true, "User unlocked.", 204));
    }

    public Task<PortalActionResult> DeleteUserAsync(string id, CancellationToken cancellationToken = default)
    {
        Deleted.Add(id);
        Users.RemoveAll(u => u.Id == id);
        return Task.FromResult(new PortalActionResult(true, "User deleted.", 204));
    }
}
