namespace MicoPortal.Shared.Auth;

public static class Roles
{
    public const string Operations = "Operations";
    public const string Admin = "Admin";
}

/// <summary><c>GET /api/v1/auth/me</c>: who is signed in, so the client can show or hide admin controls.</summary>
public sealed record CurrentUserDto(string Email, IReadOnlyList<string> Roles)
{
    public bool IsAdmin => Roles.Contains(Auth.Roles.Admin);
}
