using Microsoft.AspNetCore.Identity;

namespace MicoPortal.Server.Auth;

/// <summary>A person who signs in to the portal: an operations manager or an admin.</summary>
public sealed class PortalUser : IdentityUser
{
}
