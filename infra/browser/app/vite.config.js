// The uni-app CLI project's Vite config (copied to .app/ by build.mjs).
import { defineConfig } from 'vite'
import uni from '@dcloudio/vite-plugin-uni'

export default defineConfig({
	plugins: [uni()],
})
