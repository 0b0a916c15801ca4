"""The bundled sample submissions (synthetic, except the sourced population): see README.md here."""
