// Entry of the uni-id-pages H5 app (copied to .app/src/main.js by build.mjs).
//
// ES imports are evaluated in order, depth first: idco-install.js (which
// patches uniCloud) must come before App.vue, because App.vue imports
// uni-id-pages/init.js, which calls uniCloud.importObject at module load.
// Pages (and so uni-id-pages/common/store.js) load later, by dynamic import.
// uni-h5 prepends `import './pages.json.js'` to this file; that module loads
// no uni-id-pages code.
import './idco-install.js'
import App from './App.vue'
import { createSSRApp } from 'vue'

export function createApp() {
	const app = createSSRApp(App)
	return { app }
}
