using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ShopApiKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_ExternalId",
                table: "Orders");

            // Orders from before shops were scoped were placed by operators or a configured key.
            migrationBuilder.Sql("UPDATE \"Orders\" SET \"Shop\" = 'portal' WHERE \"Shop\" IS NULL;");

            migrationBuilder.AlterColumn<string>(
                name: "Shop",
                table: "Orders",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "portal",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.CreateTable(
                name: "ShopApiKeys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Shop = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Hash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    LastUsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ShopApiKeys", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_ExternalId_Shop",
                table: "Orders",
                columns: new[] { "ExternalId", "Shop" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ShopApiKeys_Hash",
                table: "ShopApiKeys",
                column: "Hash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ShopApiKeys");

            migrationBuilder.DropIndex(
                name: "IX_Orders_ExternalId_Shop",
                table: "Orders");

            migrationBuilder.AlterColumn<string>(
                name: "Shop",
                table: "Orders",
                type: "TEXT",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_ExternalId",
                table: "Orders",
                column: "ExternalId",
                unique: true);
        }
    }
}
