// Points uniCloud at idco before any uni-id-pages module runs (see main.js).
// The pages' bare `uniCloud` identifier is auto-imported by the uni CLI from
// '@dcloudio/uni-cloud', so this is the very object the pages use.
import { uniCloud } from '@dcloudio/uni-cloud'
import { installIdco } from '@/uni_modules/idco-client/index.js'
import { baseURL } from './idco-config.js'

installIdco(uniCloud, { baseURL })
